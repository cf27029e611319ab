package dev.keel.actors;

import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.ContainerMount;
import dev.keel.actors.container.ContainerResources;
import dev.keel.actors.container.ContainerShapesV1;
import dev.keel.actors.container.ContainerShapesV2;
import dev.keel.actors.container.NetworkAttachment;
import dev.keel.actors.container.PortBinding;
import dev.keel.actors.container.RestartPolicy;
import dev.keel.actors.host.HostEntity;
import dev.keel.actors.image.ImageConfig;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.name.NameEntity;
import dev.keel.actors.network.NetworkEntity;
import dev.keel.actors.network.NetworkShapesV1;
import dev.keel.actors.network.NetworkSpec;
import dev.keel.actors.network.PublishedPort;
import dev.keel.actors.volume.VolumeEntity;
import dev.keel.journal.serialization.KryoRegistrations;
import dev.keel.journal.serialization.KryoRegistry;

/**
 * Kryo ids of everything the domain persists or sends: events, states (snapshots), commands and replies, and every
 * record and enum inside them.
 *
 * <p>The rules, because journals are kept forever:
 * <ul>
 *   <li>An id, once given, is never changed, reused or given to another type, even after its type is deleted.
 *       Ids start at 1000; each kind has its own block of 100.</li>
 *   <li>A record whose components change gets {@code version + 1}; its old shape stays as a record with an upcaster
 *       and its old golden file stays in {@code src/test/resources/golden}. Kryo writes components in the
 *       alphabetical order of their names, so renaming a component changes the shape too.</li>
 *   <li>Enums are written by ordinal: new constants are only ever appended.</li>
 * </ul>
 */
public final class ActorsKryoRegistry implements KryoRegistry {

    @Override
    public void registerInto(KryoRegistrations r) {
        // 1000-1099: shared
        r.value(1000, Rejection.class)
                .message(1001, Confirmation.Accepted.class, 1)
                .message(1002, Confirmation.Rejected.class, 1);

        // 1100-1199: container
        r.value(1100, ContainerConfig.class)
                .value(1101, RestartPolicy.class)
                .value(1102, RestartPolicy.Mode.class)
                .value(1103, ContainerResources.class)
                .value(1104, ContainerEntity.Status.class)
                .value(1105, ContainerShapesV1.Config.class)
                .value(1106, PortBinding.class)
                .value(1107, NetworkAttachment.class)
                .value(1108, ContainerMount.class)
                .value(1109, ContainerShapesV2.Config.class)
                .message(1110, ContainerEntity.Create.class, 3)
                .upcaster(1110, 1, ContainerShapesV1.Create.class, ContainerShapesV1.Create::current)
                .upcaster(1110, 2, ContainerShapesV2.Create.class, ContainerShapesV2.Create::current)
                .message(1111, ContainerEntity.Start.class, 1)
                .message(1112, ContainerEntity.Pause.class, 1)
                .message(1113, ContainerEntity.Unpause.class, 1)
                .message(1114, ContainerEntity.Stop.class, 1)
                .message(1115, ContainerEntity.ReportExit.class, 1)
                .message(1116, ContainerEntity.Restart.class, 1)
                .message(1117, ContainerEntity.Rename.class, 1)
                .message(1118, ContainerEntity.Update.class, 1)
                .message(1119, ContainerEntity.Remove.class, 1)
                .message(1120, ContainerEntity.Get.class, 1)
                .message(1130, ContainerEntity.Created.class, 3)
                .upcaster(1130, 1, ContainerShapesV1.Created.class, ContainerShapesV1.Created::current)
                .upcaster(1130, 2, ContainerShapesV2.Created.class, ContainerShapesV2.Created::current)
                .message(1131, ContainerEntity.Started.class, 1)
                .message(1132, ContainerEntity.Paused.class, 1)
                .message(1133, ContainerEntity.Unpaused.class, 1)
                .message(1134, ContainerEntity.Stopped.class, 1)
                .message(1135, ContainerEntity.Died.class, 1)
                .message(1136, ContainerEntity.Restarted.class, 1)
                .message(1137, ContainerEntity.Renamed.class, 1)
                .message(1138, ContainerEntity.Updated.class, 1)
                .message(1139, ContainerEntity.Removed.class, 1)
                .message(1150, ContainerEntity.State.class, 3)
                .upcaster(1150, 1, ContainerShapesV1.State.class, ContainerShapesV1.State::current)
                .upcaster(1150, 2, ContainerShapesV2.State.class, ContainerShapesV2.State::current);

        // 1200-1299: image
        r.value(1200, ImageConfig.class)
                .value(1201, ImageEntity.Status.class)
                .message(1210, ImageEntity.Import.class, 1)
                .message(1211, ImageEntity.Tag.class, 1)
                .message(1212, ImageEntity.Untag.class, 1)
                .message(1213, ImageEntity.Delete.class, 1)
                .message(1214, ImageEntity.Get.class, 1)
                .message(1230, ImageEntity.Imported.class, 1)
                .message(1231, ImageEntity.Tagged.class, 1)
                .message(1232, ImageEntity.Untagged.class, 1)
                .message(1233, ImageEntity.Deleted.class, 1)
                .message(1250, ImageEntity.State.class, 1);

        // 1300-1399: network. Pools and endpoints are written inside collections, with their ids: 1302 and 1304 keep
        // naming the v1 shapes, the v2 shapes have ids of their own.
        r.value(1300, NetworkSpec.class)
                .value(1301, NetworkSpec.Ipam.class)
                .value(1302, NetworkShapesV1.Pool.class)
                .value(1303, NetworkEntity.Status.class)
                .value(1304, NetworkShapesV1.Endpoint.class)
                .value(1305, NetworkSpec.Pool.class)
                .value(1306, NetworkEntity.Endpoint.class)
                .value(1307, PublishedPort.class)
                .value(1308, NetworkShapesV1.Spec.class)
                .value(1309, NetworkShapesV1.Ipam.class)
                .message(1310, NetworkEntity.Create.class, 2)
                .upcaster(1310, 1, NetworkShapesV1.Create.class, NetworkShapesV1.Create::current)
                .message(1311, NetworkEntity.Attach.class, 2)
                .upcaster(1311, 1, NetworkShapesV1.Attach.class, NetworkShapesV1.Attach::current)
                .message(1312, NetworkEntity.Detach.class, 1)
                .message(1313, NetworkEntity.Remove.class, 1)
                .message(1314, NetworkEntity.Get.class, 1)
                .message(1330, NetworkEntity.Created.class, 2)
                .upcaster(1330, 1, NetworkShapesV1.Created.class, NetworkShapesV1.Created::current)
                .message(1331, NetworkEntity.Attached.class, 2)
                .upcaster(1331, 1, NetworkShapesV1.Attached.class, NetworkShapesV1.Attached::current)
                .message(1332, NetworkEntity.Detached.class, 1)
                .message(1333, NetworkEntity.Removed.class, 1)
                .message(1350, NetworkEntity.State.class, 2)
                .upcaster(1350, 1, NetworkShapesV1.State.class, NetworkShapesV1.State::current);

        // 1400-1499: volume
        r.value(1401, VolumeEntity.Status.class)
                .message(1410, VolumeEntity.Create.class, 1)
                .message(1411, VolumeEntity.Attach.class, 1)
                .message(1412, VolumeEntity.Detach.class, 1)
                .message(1413, VolumeEntity.Remove.class, 1)
                .message(1414, VolumeEntity.Get.class, 1)
                .message(1430, VolumeEntity.Created.class, 1)
                .message(1431, VolumeEntity.Attached.class, 1)
                .message(1432, VolumeEntity.Detached.class, 1)
                .message(1433, VolumeEntity.Removed.class, 1)
                .message(1450, VolumeEntity.State.class, 1);

        // 1500-1599: host
        r.value(1500, HostEntity.HostResources.class)
                .value(1501, HostEntity.Status.class)
                .message(1510, HostEntity.Register.class, 1)
                .message(1511, HostEntity.MarkUp.class, 1)
                .message(1512, HostEntity.MarkDown.class, 1)
                .message(1513, HostEntity.Get.class, 1)
                .message(1530, HostEntity.Registered.class, 1)
                .message(1531, HostEntity.Up.class, 1)
                .message(1532, HostEntity.Down.class, 1)
                .message(1550, HostEntity.State.class, 1);

        // 1600-1699: names
        r.message(1610, NameEntity.Reserve.class, 1)
                .message(1611, NameEntity.Release.class, 1)
                .message(1612, NameEntity.Get.class, 1)
                .message(1620, NameEntity.Granted.class, 1)
                .message(1621, NameEntity.Taken.class, 1)
                .message(1630, NameEntity.Reserved.class, 1)
                .message(1631, NameEntity.Released.class, 1)
                .message(1650, NameEntity.State.class, 1);

        // 1700-1749: container, later additions: user kills and restarts, network connections, exec sessions
        r.message(1700, ContainerEntity.Signal.class, 1)
                .message(1701, ContainerEntity.ConfirmUserRestart.class, 1)
                .message(1702, ContainerEntity.ConnectNetwork.class, 1)
                .message(1703, ContainerEntity.DisconnectNetwork.class, 1)
                .message(1704, ContainerEntity.CreateExec.class, 1)
                .message(1705, ContainerEntity.StartExec.class, 1)
                .message(1706, ContainerEntity.ReportExecExit.class, 1)
                .message(1720, ContainerEntity.Signalled.class, 1)
                .message(1721, ContainerEntity.RestartedByUser.class, 1)
                .message(1722, ContainerEntity.NetworkConnected.class, 1)
                .message(1723, ContainerEntity.NetworkDisconnected.class, 1)
                .message(1724, ContainerEntity.ExecCreated.class, 1)
                .message(1725, ContainerEntity.ExecStarted.class, 1)
                .message(1726, ContainerEntity.ExecDied.class, 1);
    }
}
