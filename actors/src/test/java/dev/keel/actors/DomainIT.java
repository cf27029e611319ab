package dev.keel.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.host.HostEntity;
import dev.keel.actors.name.NameEntity;
import dev.keel.actors.network.NetworkSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Domain on a real single-node cluster (Artery on loopback) with sharding, the inmem journal serializing every
 * event through Kryo, and every message between actors serialized as if it crossed nodes.
 */
class DomainIT {

    private static final String IMAGE_ID = "sha256:0123456789abcdef";
    private static final int CONCURRENT_CREATES = 20;

    @TempDir
    static Path snapshots;

    private static ActorTestKit testKit;
    private static Domain domain;

    @BeforeAll
    static void startCluster() {
        Config config = ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0,
                        "pekko.actor.serialize-messages", "on",
                        "pekko.persistence.journal.plugin", "pekko.persistence.journal.inmem",
                        "pekko.persistence.journal.inmem.test-serialization", "on",
                        "pekko.persistence.snapshot-store.plugin", "pekko.persistence.snapshot-store.local"))
                .withValue("pekko.persistence.snapshot-store.local.dir",
                        ConfigValueFactory.fromAnyRef(snapshots.toString()))
                .withFallback(ConfigFactory.load());
        testKit = ActorTestKit.create("DomainIT", config);
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(20), () -> {
            assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
            return null;
        });
        domain = Domain.start(testKit.system(), EntityTestKits.CLOCK);
    }

    @AfterAll
    static void stopCluster() {
        testKit.shutdownTestKit();
    }

    private static Confirmation await(java.util.concurrent.CompletionStage<Confirmation> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static ContainerEntity.State inspect(String containerId) throws Exception {
        return domain.container(containerId).ask(ContainerEntity.Get::new, Duration.ofSeconds(10))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Confirmation createContainer(String id, String name) throws Exception {
        return await(domain.createContainer(id, name, IMAGE_ID, "busybox:latest", ContainerConfig.EMPTY));
    }

    @Test
    void shouldGrantOneNameToExactlyOneOfConcurrentCreates() throws Exception {
        List<CompletableFuture<Confirmation>> creates = new ArrayList<>();
        IntStream.range(0, CONCURRENT_CREATES).forEach(i -> creates.add(domain
                .createContainer("race-" + i, "web", IMAGE_ID, "busybox:latest", ContainerConfig.EMPTY)
                .toCompletableFuture()));
        CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        List<Integer> winners = IntStream.range(0, CONCURRENT_CREATES)
                .filter(i -> creates.get(i).join().isAccepted()).boxed().toList();
        assertThat(winners).hasSize(1);
        String winner = "race-" + winners.get(0);
        assertThat(creates).map(CompletableFuture::join).filteredOn(c -> !c.isAccepted())
                .hasSize(CONCURRENT_CREATES - 1)
                .allSatisfy(c -> assertThat(c).isEqualTo(Confirmation.rejected(Rejection.CONFLICT,
                        "Conflict. The container name \"/web\" is already in use by container \"" + winner
                                + "\". You have to remove (or rename) that container to be able to reuse that name.")));
        for (int i = 0; i < CONCURRENT_CREATES; i++) {
            assertThat(inspect("race-" + i).exists()).as("race-%d exists", i).isEqualTo(("race-" + i).equals(winner));
        }
    }

    @Test
    void shouldRegisterAHostUpAndRecordItDownWithItsReason() throws Exception {
        HostEntity.HostResources resources = new HostEntity.HostResources(2, 1L << 30);

        Confirmation up = await(domain.hostUp("engine-1", "node-a", "pekko://keel@127.0.0.1:2552", resources));
        HostEntity.State whileUp = domain.host("engine-1").ask(HostEntity.Get::new, Duration.ofSeconds(10))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        Confirmation down = await(domain.hostDown("engine-1", "keeld stopped"));
        HostEntity.State afterDown = domain.host("engine-1").ask(HostEntity.Get::new, Duration.ofSeconds(10))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(up).isEqualTo(Confirmation.accepted());
        assertThat(whileUp.isUp()).isTrue();
        assertThat(whileUp.resources()).isEqualTo(resources);
        assertThat(down).isEqualTo(Confirmation.accepted());
        assertThat(afterDown.isDown()).isTrue();
        assertThat(afterDown.downReason()).isEqualTo("keeld stopped");
    }

    @Test
    void shouldRefuseToBringUpAHostWithoutAName() throws Exception {
        Confirmation up = await(domain.hostUp("engine-2", "", "pekko://keel@127.0.0.1:2552",
                new HostEntity.HostResources(1, 1)));

        assertThat(up).isEqualTo(Confirmation.rejected(Rejection.INVALID_ARGUMENT, "a host needs a name and an address"));
    }

    @Test
    void shouldFreeNameWhenContainerIsRemoved() throws Exception {
        createContainer("first", "api");

        Confirmation removed = await(domain.removeContainer("first", false));
        Confirmation reused = createContainer("second", "api");

        assertThat(removed).isEqualTo(Confirmation.accepted());
        assertThat(reused).isEqualTo(Confirmation.accepted());
        assertThat(inspect("second").name()).isEqualTo("/api");
    }

    @Test
    void shouldKeepNameWhenRemoveIsRefused() throws Exception {
        createContainer("busy", "db");
        domain.container("busy").<Confirmation>ask(r -> new ContainerEntity.Start(7, r), Duration.ofSeconds(10))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);

        Confirmation removed = await(domain.removeContainer("busy", false));
        Confirmation other = createContainer("intruder", "db");

        assertThat(removed.isAccepted()).isFalse();
        assertThat(other).isEqualTo(Confirmation.rejected(Rejection.CONFLICT, "Conflict. The container name \"/db\""
                + " is already in use by container \"busy\". You have to remove (or rename) that container to be able"
                + " to reuse that name."));
    }

    @Test
    void shouldMoveNameOnRenameAndRefuseTakenName() throws Exception {
        createContainer("r1", "alpha");
        createContainer("r2", "beta");

        Confirmation taken = await(domain.renameContainer("r2", "alpha"));
        Confirmation renamed = await(domain.renameContainer("r1", "gamma"));
        Confirmation reuseOld = createContainer("r3", "alpha");

        assertThat(taken.isAccepted()).isFalse();
        assertThat(((Confirmation.Rejected) taken).reason()).isEqualTo(Rejection.CONFLICT);
        assertThat(renamed).isEqualTo(Confirmation.accepted());
        assertThat(inspect("r1").name()).isEqualTo("/gamma");
        assertThat(reuseOld).isEqualTo(Confirmation.accepted());
    }

    @Test
    void shouldNotFreeNameOfExistingContainerWhenCreateIsRetried() throws Exception {
        createContainer("retry", "cache");

        Confirmation retried = createContainer("retry", "cache");
        Confirmation other = createContainer("other", "cache");

        assertThat(retried).isEqualTo(Confirmation.rejected(Rejection.CONFLICT, "Container retry already exists"));
        assertThat(other.isAccepted()).isFalse();
    }

    @Test
    void shouldRefuseSecondNetworkWithSameName() throws Exception {
        NetworkSpec spec = new NetworkSpec("front", "bridge", Map.of(), Map.of(), NetworkSpec.Ipam.DEFAULT, false, false, false);

        Confirmation first = await(domain.createNetwork("net-1", spec));
        Confirmation second = await(domain.createNetwork("net-2", spec));
        Confirmation removed = await(domain.removeNetwork("net-1"));
        Confirmation third = await(domain.createNetwork("net-3", spec));

        assertThat(first).isEqualTo(Confirmation.accepted());
        assertThat(second).isEqualTo(Confirmation.rejected(Rejection.CONFLICT, "network with name front already exists"));
        assertThat(removed).isEqualTo(Confirmation.accepted());
        assertThat(third).isEqualTo(Confirmation.accepted());
        NameEntity.State owner = domain.name("network", "front").ask(NameEntity.Get::new, Duration.ofSeconds(10))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(owner.ownerId()).isEqualTo("net-3");
    }
}
