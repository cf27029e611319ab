package dev.keel.os.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageJsonTest {
    private final ImageJson json = new ImageJson();

    private static final String DOCKER_CONFIG = """
        {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
         "config":{"User":"nobody","Env":["PATH=/bin"],"Cmd":["sh"],"Entrypoint":null,"WorkingDir":"/srv",
           "ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}},"Labels":{"a":"b"},"StopSignal":"SIGTERM",
           "Healthcheck":{"Test":["CMD","true"],"Interval":1000000000,"Retries":3}},
         "rootfs":{"type":"layers","diff_ids":["sha256:%s"]},
         "history":[{"created":"2024-01-01T00:00:00Z","created_by":"/bin/sh -c #(nop) ADD","empty_layer":false}],
         "docker_version":"27.0.0"}
        """.formatted("b".repeat(64));

    @Test
    void shouldReadDockerImageConfigFields() throws Exception {
        ImageConfig config = json.read(DOCKER_CONFIG.getBytes(StandardCharsets.UTF_8), ImageConfig.class);
        ContainerDefaults c = config.config();
        assertThat(config.architecture()).isEqualTo("amd64");
        assertThat(c.user()).isEqualTo("nobody");
        assertThat(c.env()).containsExactly("PATH=/bin");
        assertThat(c.cmd()).containsExactly("sh");
        assertThat(c.workingDir()).isEqualTo("/srv");
        assertThat(c.exposedPorts()).containsKey("80/tcp");
        assertThat(c.volumes()).containsKey("/data");
        assertThat(c.labels()).containsEntry("a", "b");
        assertThat(c.stopSignal()).isEqualTo("SIGTERM");
        assertThat(c.healthcheck().test()).containsExactly("CMD", "true");
        assertThat(c.healthcheck().retries()).isEqualTo(3);
        assertThat(config.diffIds()).containsExactly(new Digest("b".repeat(64)));
        assertThat(config.history()).singleElement().satisfies(h -> assertThat(h.addsLayer()).isTrue());
    }

    @Test
    void shouldWriteDockerFieldNamesAndLeaveOutNulls() {
        ImageConfig config = new ImageConfig("amd64", "linux", null, "t", null, null,
            new ContainerDefaults(null, null, List.of("A=1"), null, List.of("sh"), null, "/", null, null, null, null,
                null, null),
            RootFs.layers(List.of(new Digest("c".repeat(64)))), List.of());
        String out = new String(json.write(config), StandardCharsets.UTF_8);
        assertThat(out).contains("\"Env\":[\"A=1\"]", "\"Cmd\":[\"sh\"]", "\"WorkingDir\":\"/\"",
            "\"diff_ids\":[\"sha256:" + "c".repeat(64) + "\"]", "\"type\":\"layers\"");
        assertThat(out).doesNotContain("null", "User");
    }

    @Test
    void shouldGiveTheSameBytesForTheSameConfig() {
        ImageConfig config = new ImageConfig("amd64", "linux", null, "t", null, null, ContainerDefaults.empty(),
            RootFs.layers(List.of()), List.of());
        assertThat(Digest.of(json.write(config))).isEqualTo(Digest.of(json.write(config)));
    }

    @Test
    void shouldRejectMalformedJson() {
        assertThatThrownBy(() -> json.read("{".getBytes(StandardCharsets.UTF_8), ImageConfig.class))
            .isInstanceOf(InvalidImageException.class).hasMessageContaining("invalid ImageConfig JSON");
    }

    @Test
    void shouldComputeChainIdsAsOciDefines() {
        Digest a = new Digest("a".repeat(64));
        Digest b = new Digest("b".repeat(64));
        List<Digest> chain = ImageStore.chainIds(List.of(a, b));
        assertThat(chain.get(0)).isEqualTo(a);
        assertThat(chain.get(1)).isEqualTo(Digest.of((a + " " + b).getBytes(StandardCharsets.US_ASCII)));
    }
}
