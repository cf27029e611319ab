package dev.keel.stateplane.spi;

/** Optional ability of a driver whose volumes are local directories: their size, for {@code docker system df}. */
public interface VolumeUsage {

    /** Bytes used by the volume's content, or -1 when unknown. */
    long sizeBytes(String name);
}
