package dev.keel.actors.container;

import static dev.keel.actors.container.ContainerHost.await;
import static dev.keel.actors.container.ContainerHost.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.Containers.LogLine;
import dev.keel.actors.container.Containers.LogQuery;
import dev.keel.actors.container.Containers.WaitCondition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.image.Images;
import dev.keel.actors.image.LocalImages;

/**
 * {@code docker commit} through {@link LocalContainers#changesLayer} and {@link LocalImages#commit}: real runc, keel-monitor
 * and overlayfs, a real image store and Image entities on the embedded journal.
 */
class CommitIT {

    private static ContainerHost host;
    private static LocalContainers containers;
    private static LocalImages images;

    @BeforeAll
    static void start() throws Exception {
        host = ContainerHost.start("CommitIT", "/keel-it-commit");
        containers = host.containers();
        images = new LocalImages(host.system(), host.domain(), host.catalog(), containers::containerUsing,
                Clock.systemUTC());
    }

    @AfterEach
    void removeEveryContainer() throws Exception {
        host.removeEveryContainer();
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void shouldCommitTheContainersChangesAsANewImageThatKeepsDeletionsDeleted() throws Exception {
        String container = host.run(config("sh", "-c", "echo before > /file-written-before; rm /etc/doomed; "
                + "mkdir /new-dir; echo kept > /new-dir/new"));
        assertThat(await(await(containers.await(container, Containers.WaitCondition.NOT_RUNNING))).exitCode()).isZero();
        Containers.ChangesLayer layer = await(containers.changesLayer(container, true));
        ContainerConfig c = layer.container().config();
        Images.CommitRequest request = new Images.CommitRequest(layer.container().imageId(), layer.layerTar(),
                new Images.CommitConfig(List.of("cat", "/file-written-before"), List.of(), List.of("A=b"), "", "",
                        Map.of(), List.of(), "").over(new Images.CommitConfig(c.cmd(), c.entrypoint(), c.env(),
                        c.workingDir(), c.user(), c.labels(), c.exposedPorts(), c.stopSignal())),
                "sh -c ...", "committed:1", "the comment", "someone", List.of("ENV Z=1"));

        ImageEntity.State image = await(images.commit(request));
        Files.deleteIfExists(layer.layerTar());

        assertThat(image.repoTags()).containsExactly("committed:1");
        String fromCommit = await(containers.create(new Containers.CreateRequest("", "committed:1",
                config("sh", "-c", "cat /file-written-before; ls /etc; cat /new-dir/new; echo $A$Z")))).containerId();
        await(containers.start(fromCommit));
        assertThat(await(await(containers.await(fromCommit, Containers.WaitCondition.NOT_RUNNING))).exitCode()).isZero();
        List<LogLine> lines = await(await(containers.logs(fromCommit, new Containers.LogQuery(true, true, Instant.MIN,
                Instant.MAX, -1, false))).runWith(Sink.seq(), host.system()));
        // /etc/doomed stays deleted; hostname, hosts and resolv.conf are the daemon's binds, in every container.
        assertThat(lines.stream().map(l -> new String(l.content(), StandardCharsets.UTF_8)).toList())
                .containsExactly("before\n", "group\n", "hostname\n", "hosts\n", "passwd\n", "resolv.conf\n", "kept\n",
                        "b1\n");
        assertThat(await(images.history("committed:1"))).first()
                .satisfies(h -> assertThat(h.comment()).isEqualTo("the comment"));
    }

}
