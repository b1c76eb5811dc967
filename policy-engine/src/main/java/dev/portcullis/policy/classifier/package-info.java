/** The compiled classifier: first-match lookup of five-tuples against a policy's rules. */
package dev.portcullis.policy.classifier;
