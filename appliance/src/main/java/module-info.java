/** The portcullis command and daemon: wires the policy engine, the data plane and the SSH console together. */
module dev.portcullis.appliance {
    requires dev.portcullis.policy;
    requires dev.portcullis.router;
    requires dev.portcullis.monitoring;
    requires dev.portcullis.mgmt;
    requires info.picocli;
    requires org.slf4j;
    requires jdk.httpserver;
    requires jdk.unsupported;

    opens dev.portcullis.appliance to info.picocli;

    // The console's software commands, provided by the image module where the appliance runs from an image.
    uses dev.portcullis.mgmt.console.SystemSoftware.Provider;
}
