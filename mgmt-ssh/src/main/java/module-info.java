/** Portcullis management: the configuration store and configuration mode under the SSH console. */
module dev.portcullis.mgmt {
    requires transitive dev.portcullis.policy;
    requires transitive dev.portcullis.router;
    requires org.snakeyaml.engine;
    requires org.slf4j;

    exports dev.portcullis.mgmt.config;
}
