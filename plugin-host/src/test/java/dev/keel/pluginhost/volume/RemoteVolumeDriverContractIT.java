package dev.keel.pluginhost.volume;

import dev.keel.pluginhost.PluginHostFixture;
import dev.keel.stateplane.spi.VolumeDriver;
import dev.keel.stateplane.spi.VolumeDriverContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** stateplane's VolumeDriverContract against the remote driver and the python volume plugin. */
class RemoteVolumeDriverContractIT extends VolumeDriverContract {

    @RegisterExtension
    final PluginHostFixture host = new PluginHostFixture();

    @Override
    protected VolumeDriver openDriver() {
        host.startVolume(host.socket("contractvol"));
        return RemoteVolumeDriver.lookUp(host.plugins(), "contractvol");
    }
}
