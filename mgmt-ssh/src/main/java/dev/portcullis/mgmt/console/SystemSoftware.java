package dev.portcullis.mgmt.console;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The appliance's installed software, for {@code show system software}, {@code request system software add} and
 * {@code request system reboot}. The image module ({@code dev.portcullis.image}) provides it through
 * {@link Provider} on an appliance built by {@code portcullis-image}; elsewhere (a development checkout) there is
 * none, and the console says so.
 *
 * <p>Implementations are thread-safe.
 */
public interface SystemSoftware {

    /** {@code show system software}: both slots, their versions, which is running and which is good. */
    String show() throws SoftwareException;

    /**
     * {@code request system software add FILE [force]}: verifies the signed bundle against the running image's key,
     * writes it to the inactive slot and marks that slot to be tried once at the next boot.
     *
     * @param force also accept a bundle older than the running version
     * @return what to tell the operator
     */
    String add(Path bundle, boolean force) throws SoftwareException;

    /** {@code request system reboot}: reboots the appliance (into a slot marked to be tried, if any). */
    String reboot() throws SoftwareException;

    /** A refused or failed software operation; the message says which check failed and why. */
    final class SoftwareException extends Exception {
        private static final long serialVersionUID = 1L;

        public SoftwareException(String message) {
            super(message);
        }

        public SoftwareException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Finds the system software of the machine this runs on; loaded with {@link java.util.ServiceLoader} by the
     * appliance.
     */
    interface Provider {
        /** This machine's software, or empty with the reason logged when it is not an appliance image. */
        Optional<SystemSoftware> forThisSystem();
    }
}
