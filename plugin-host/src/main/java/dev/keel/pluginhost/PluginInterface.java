package dev.keel.pluginhost;

/**
 * The interfaces a legacy plugin lists in its {@code Plugin.Activate} answer. The wire names never change: they are
 * Docker's.
 */
public enum PluginInterface {
    VOLUME_DRIVER("VolumeDriver"),
    NETWORK_DRIVER("NetworkDriver"),
    IPAM_DRIVER("IpamDriver"),
    AUTHZ("authz"),
    LOG_DRIVER("LogDriver"),
    METRICS_COLLECTOR("MetricsCollector");

    private final String wireName;

    PluginInterface(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
