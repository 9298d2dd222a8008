package dev.tokenarena.sink;

/** The version Connect shows for our plugins. */
final class Versions {

    static final String VERSION = version();

    private Versions() {
    }

    private static String version() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
