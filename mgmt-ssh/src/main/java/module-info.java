/**
 * Portcullis management: the SSH server (Apache Mina SSHD), the console with its commands, roles and audit log, and
 * the configuration store and configuration mode under it.
 */
module dev.portcullis.mgmt {
    requires transitive dev.portcullis.policy;
    requires transitive dev.portcullis.router;
    requires org.apache.sshd.osgi;
    requires org.apache.sshd.sftp;
    requires org.jline.reader;
    requires org.jline.terminal;
    requires org.bouncycastle.provider; // Ed25519 keys for Mina SSHD
    requires org.snakeyaml.engine;
    requires org.slf4j;
    requires java.management; // show system: load average

    exports dev.portcullis.mgmt.audit;
    exports dev.portcullis.mgmt.config;
    exports dev.portcullis.mgmt.console;
    exports dev.portcullis.mgmt.ssh;
}
