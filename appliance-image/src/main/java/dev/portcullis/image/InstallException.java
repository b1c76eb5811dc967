package dev.portcullis.image;

/**
 * An installation or boot assessment cannot go on for a reason other than the bundle itself (no running slot,
 * slot too small, another installation running, the running slot not yet marked good). Nothing was written.
 */
public final class InstallException extends Exception {

    private static final long serialVersionUID = 1L;

    public InstallException(String message) {
        super(message);
    }
}
