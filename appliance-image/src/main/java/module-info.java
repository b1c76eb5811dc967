/**
 * The appliance image: update bundles (format, Ed25519 signing and verification), A/B slots with systemd-boot's
 * boot counting, building the root filesystem and the disk image, and flashing it.
 */
module dev.portcullis.image {
    requires dev.portcullis.policy;
    requires info.picocli;
    requires org.bouncycastle.provider;
    requires org.slf4j;
    requires jdk.unsupported;

    exports dev.portcullis.image;

    opens dev.portcullis.image to info.picocli;
}
