package dev.keel.netplane.spi;

/** Whether a driver's networks exist on one host or across the cluster (Docker's "local" and "global"). */
public enum DriverScope {
    LOCAL, GLOBAL;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
