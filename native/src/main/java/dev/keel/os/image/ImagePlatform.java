package dev.keel.os.image;

/** The os and architecture written into configs of images made on this host, in Go's names. */
public record ImagePlatform(String os, String architecture) {
    /** This host, from the JVM's view of it. */
    public static ImagePlatform host() {
        String arch = System.getProperty("os.arch");
        String goArch = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "x86", "i386" -> "386";
            default -> arch;
        };
        return new ImagePlatform("linux", goArch);
    }
}
