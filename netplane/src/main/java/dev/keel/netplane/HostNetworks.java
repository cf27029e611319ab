package dev.keel.netplane;

import dev.keel.netplane.bridge.BridgeDriver;
import dev.keel.netplane.sandbox.Sandboxes;
import java.util.List;

/** The network objects a daemon leaves on the host for live restore, and their removal once it is gone for good. */
public final class HostNetworks {

    private HostNetworks() {}

    /**
     * Removes every sandbox, bridge, veth and firewall chain the settings name (their default bridge, bridge prefix,
     * chain prefix and sandbox root); call only when no daemon uses them.
     */
    public static void removeAll(NetplaneSettings settings) {
        Sandboxes sandboxes = new Sandboxes(settings);
        sandboxes.existing().forEach(sandboxes::delete);
        try (BridgeDriver driver = new BridgeDriver(settings)) {
            driver.reconcile(List.of(), List.of());
        }
    }
}
