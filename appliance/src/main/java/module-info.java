/** The portcullis command: policy tools now, the appliance daemon as the data plane arrives. */
module dev.portcullis.appliance {
    requires dev.portcullis.policy;
    requires info.picocli;

    opens dev.portcullis.appliance to info.picocli;
}
