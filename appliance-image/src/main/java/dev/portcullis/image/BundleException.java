package dev.portcullis.image;

import java.nio.file.Path;

/**
 * An update bundle is refused: the message names the bundle and what failed; {@link #failure()} says which check.
 * Nothing has been written when this is thrown by verification.
 */
public final class BundleException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Which check refused the bundle. */
    public enum Failure {
        /** Not a bundle at all (wrong magic, unknown format version, cut short). */
        NOT_A_BUNDLE,
        /** The manifest or the layout does not parse or does not add up. */
        MALFORMED,
        /** Carries no signature. */
        UNSIGNED,
        /** Signed by a key other than the one this system trusts. */
        WRONG_KEY,
        /** The signature does not verify: the header or manifest was changed after signing. */
        BAD_SIGNATURE,
        /** A part's size or SHA-256 differs from the manifest: the part was changed after signing. */
        PART_MISMATCH,
        /** Built for another target. */
        WRONG_TARGET,
        /** Older than the running software, and not forced. */
        OLDER
    }

    private final Failure failure;

    public BundleException(Path bundle, Failure failure, String message) {
        super(bundle + ": " + message);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
