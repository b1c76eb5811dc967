package dev.portcullis.policy;

/** A value read from a policy, with the place it was written; used while checking, before the model is built. */
record Located<T>(T value, Location location) {
}
