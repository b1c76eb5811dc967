/**
 * The appliance image: update bundles (format, Ed25519 signing and verification), A/B slots with systemd-boot's
 * boot counting, building the root filesystem and the disk image, and flashing it.
 */
module dev.portcullis.image {
    requires dev.portcullis.policy;
    requires dev.portcullis.mgmt; // provides the console's software commands
    requires info.picocli;
    requires org.bouncycastle.provider;
    requires org.slf4j;
    requires jdk.unsupported;

    exports dev.portcullis.image;

    provides dev.portcullis.mgmt.console.SystemSoftware.Provider
            with dev.portcullis.image.ImageSystemSoftware.Provider;

    opens dev.portcullis.image to info.picocli;
}
