package dev.keel.os.archive;

/**
 * The AUFS-style whiteout names image layers carry, and how each maps onto overlayfs:
 * {@code .wh.NAME} hides NAME (overlay: a {@code c 0 0} device named NAME); {@code .wh..wh..opq} hides everything
 * below its directory from lower layers (overlay: the {@code trusted.overlay.opaque=y} xattr on the directory);
 * other {@code .wh..wh.*} names are AUFS bookkeeping and carry nothing.
 */
public final class Whiteouts {
    public static final String PREFIX = ".wh.";
    public static final String OPAQUE = ".wh..wh..opq";
    public static final String OPAQUE_XATTR = "trusted.overlay.opaque";
    private static final String META_PREFIX = ".wh..wh.";

    private Whiteouts() {
    }

    /** What an archive entry's last component means. */
    public sealed interface Kind {
    }

    public record Ordinary() implements Kind {
    }

    public record Hides(String name) implements Kind {
    }

    public record Opaque() implements Kind {
    }

    public record Bookkeeping() implements Kind {
    }

    public static Kind classify(String leaf) {
        if (leaf.equals(OPAQUE)) {
            return new Opaque();
        }
        if (leaf.startsWith(META_PREFIX)) {
            return new Bookkeeping();
        }
        if (leaf.startsWith(PREFIX) && leaf.length() > PREFIX.length()) {
            return new Hides(leaf.substring(PREFIX.length()));
        }
        return new Ordinary();
    }
}
