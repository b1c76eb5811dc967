/** Portcullis policy engine: the policy model, its YAML loader and validator, and the compiled classifier. */
module dev.portcullis.policy {
    requires org.snakeyaml.engine;

    exports dev.portcullis.policy;
    exports dev.portcullis.policy.classifier;
}
