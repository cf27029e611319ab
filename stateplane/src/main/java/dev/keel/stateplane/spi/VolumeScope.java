package dev.keel.stateplane.spi;

/** Docker's volume driver scope: "local" volumes live on one host, "global" ones in the whole cluster. */
public enum VolumeScope {
    LOCAL, GLOBAL;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
