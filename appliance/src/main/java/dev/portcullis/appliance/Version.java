package dev.portcullis.appliance;

import java.lang.module.ModuleDescriptor;
import picocli.CommandLine.IVersionProvider;

/**
 * The version printed by {@code portcullis --version} and the console's {@code show version}: the jar's
 * implementation version, else the module's version (Maven compiles it in), else "development" (classes run
 * from a directory).
 */
final class Version implements IVersionProvider {

    static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
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
