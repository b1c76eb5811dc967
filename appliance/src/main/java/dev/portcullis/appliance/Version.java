package dev.portcullis.appliance;

import java.lang.module.ModuleDescriptor;
import picocli.CommandLine.IVersionProvider;

/**
 * The version printed by {@code portcullis --version} and the console's {@code show version}: the system property
 * {@value #PROPERTY} when set (the appliance image's launcher sets it to the image's software version, the one
 * {@code show system software} lists for the running slot), else the jar's implementation version, else the module's
 * version (Maven compiles it in), else "development" (classes run from a directory).
 */
final class Version implements IVersionProvider {

    /** The software version of an appliance image, set by its launcher from {@code /usr/share/portcullis/version}. */
    static final String PROPERTY = "portcullis.version";

    static String current() {
        String v = System.getProperty(PROPERTY, "").strip();
        if (!v.isEmpty()) {
            return v;
        }
        v = Version.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        ModuleDescriptor d = Version.class.getModule().getDescriptor();
        return d == null ? "development" : d.rawVersion().orElse("development");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"portcullis " + current(), "Java " + Runtime.version()};
    }
}
