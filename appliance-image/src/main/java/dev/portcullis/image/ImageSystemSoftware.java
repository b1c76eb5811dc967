package dev.portcullis.image;

import dev.portcullis.mgmt.console.SystemSoftware;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's software commands over the {@link SoftwareManager}: {@code show system software},
 * {@code request system software add FILE [force]}, {@code request system reboot}. Found by the appliance through
 * {@link Provider} (a {@code provides} of this module), so the appliance needs no compile-time link to the image
 * module, which comes after it in the build.
 *
 * <p>Threading: the manager serialises installs itself; this class keeps no state of its own.
 */
public final class ImageSystemSoftware implements SystemSoftware {

    private static final Logger LOG = LoggerFactory.getLogger(ImageSystemSoftware.class);

    private final SoftwareManager manager;

    public ImageSystemSoftware(SoftwareManager manager) {
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    @Override
    public String show() throws SoftwareException {
        try {
            return SoftwareTable.format(manager.slots());
        } catch (IOException e) {
            throw new SoftwareException("the slots cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public String add(Path bundle, boolean force) throws SoftwareException {
        try {
            SoftwareManager.Installed i = manager.add(bundle, force, Progress.none());
            LOG.info("add: {} installed to slot {} ({}), to be tried once at the next boot", bundle.getFileName(),
                    i.slot(), i.manifest().version());
            return "version " + i.manifest().version() + " installed to slot " + i.slot()
                    + "; it is tried once at the next boot ('request system reboot'), and if it fails its health"
                    + " check the running slot comes back by itself";
        } catch (BundleException | InstallException e) {
            throw new SoftwareException(e.getMessage(), e);
        } catch (IOException e) {
            throw new SoftwareException("writing the inactive slot failed: " + e.getMessage()
                    + "; the running slot is untouched", e);
        }
    }

    @Override
    public String reboot() throws SoftwareException {
        try {
            manager.reboot();
            return "rebooting";
        } catch (IOException e) {
            throw new SoftwareException(e.getMessage(), e);
        }
    }

    /**
     * The software of the machine this runs on, when it is an appliance installed from an image: its ESP is
     * mounted where the image puts it and the image's public key is present. Elsewhere: empty, with the reason
     * logged.
     */
    public static final class Provider implements SystemSoftware.Provider {

        /** The trusted key the image installs. */
        static final Path KEY = Path.of("/", RootfsOverlay.PUBLIC_KEY);

        @Override
        public Optional<SystemSoftware> forThisSystem() {
            if (!Files.isDirectory(SystemLayout.APPLIANCE_ESP) || !Files.isRegularFile(KEY)) {
                LOG.info("forThisSystem: not an appliance image ({} or {} missing); software commands are off",
                        SystemLayout.APPLIANCE_ESP, KEY);
                return Optional.empty();
            }
            try {
                return Optional.of(new ImageSystemSoftware(new SoftwareManager(SystemLayout.appliance(),
                        VerifyingKey.read(KEY), Reboot.systemctl())));
            } catch (IOException | KeyFileException e) {
                LOG.warn("forThisSystem: software commands are off: {}", e.getMessage());
                return Optional.empty();
            }
        }
    }
}
