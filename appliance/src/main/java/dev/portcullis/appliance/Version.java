package dev.portcullis.appliance;

import picocli.CommandLine.IVersionProvider;

/** The version printed by {@code portcullis --version}: the jar's implementation version, or "development". */
final class Version implements IVersionProvider {

    static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"portcullis " + current(), "Java " + Runtime.version()};
    }
}
