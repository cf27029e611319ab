package dev.keel.httpapi.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.volume.VolumeEntity;
import dev.keel.actors.volume.Volumes;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.Filters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VolumeCodecTest {

    private static final Instant CREATED = Instant.parse("2026-03-01T10:15:30.123456Z");
    private static final ApiVersion V1_41 = new ApiVersion(1, 41);
    private static final ApiVersion V1_43 = new ApiVersion(1, 43);

    private static Volumes.Volume volume(String name, String driver, Map<String, String> labels, List<String> usedBy) {
        return new Volumes.Volume(new VolumeEntity.State(name, VolumeEntity.Status.ACTIVE, driver, Map.of("o", "size=1m"),
                labels, usedBy, CREATED), "/var/lib/keel/volumes/" + name + "/_data", Map.of());
    }

    @Test
    void shouldDecodeACreateRequest() {
        VolumeCodec.CreateRequest request = VolumeCodec.decodeCreate(("{\"Name\":\"data\",\"Driver\":\"local\","
                + "\"DriverOpts\":{\"type\":\"tmpfs\"},\"Labels\":{\"team\":\"a\"}}").getBytes(StandardCharsets.UTF_8));

        assertThat(request).isEqualTo(new VolumeCodec.CreateRequest("data", "local", Map.of("type", "tmpfs"),
                Map.of("team", "a")));
    }

    @Test
    void shouldDecodeAnEmptyCreateBodyAsAGeneratedLocalVolume() {
        assertThat(VolumeCodec.decodeCreate(new byte[0]))
                .isEqualTo(new VolumeCodec.CreateRequest("", "", Map.of(), Map.of()));
    }

    @Test
    void shouldEncodeDockersVolumeWithoutUsageOutsideDiskUsage() {
        ObjectNode out = VolumeCodec.volume(volume("data", "local", Map.of("team", "a"), List.of()));

        assertThat(out.path("Name").asText()).isEqualTo("data");
        assertThat(out.path("Driver").asText()).isEqualTo("local");
        assertThat(out.path("Mountpoint").asText()).isEqualTo("/var/lib/keel/volumes/data/_data");
        assertThat(out.path("CreatedAt").asText()).isEqualTo("2026-03-01T10:15:30Z");
        assertThat(out.path("Scope").asText()).isEqualTo("local");
        assertThat(out.path("Labels").path("team").asText()).isEqualTo("a");
        assertThat(out.path("Options").path("o").asText()).isEqualTo("size=1m");
        assertThat(out.has("UsageData")).isFalse();
        assertThat(out.has("Status")).isFalse();
    }

    @Test
    void shouldCarrySizeAndReferenceCountInDiskUsage() {
        ObjectNode out = VolumeCodec.volume(volume("data", "local", Map.of(), List.of("c1", "c2")), Optional.of(4096L));

        assertThat(out.path("UsageData").path("Size").asLong()).isEqualTo(4096);
        assertThat(out.path("UsageData").path("RefCount").asLong()).isEqualTo(2);
    }

    @Test
    void shouldFilterByNameDriverLabelAndDangling() {
        Volumes.Volume used = volume("web-data", "local", Map.of("team", "a"), List.of("c1"));
        Volumes.Volume unused = volume("db-data", "plug", Map.of("team", "b"), List.of());

        assertThat(VolumeCodec.matches(used, VolumeCodec.listFilters("{\"name\":{\"web\":true}}"))).isTrue();
        assertThat(VolumeCodec.matches(unused, VolumeCodec.listFilters("{\"name\":{\"web\":true}}"))).isFalse();
        assertThat(VolumeCodec.matches(unused, VolumeCodec.listFilters("{\"driver\":[\"plug\"]}"))).isTrue();
        assertThat(VolumeCodec.matches(used, VolumeCodec.listFilters("{\"label\":[\"team=a\"]}"))).isTrue();
        assertThat(VolumeCodec.matches(unused, VolumeCodec.listFilters("{\"label\":[\"team=a\"]}"))).isFalse();
        assertThat(VolumeCodec.matches(unused, VolumeCodec.listFilters("{\"dangling\":[\"true\"]}"))).isTrue();
        assertThat(VolumeCodec.matches(used, VolumeCodec.listFilters("{\"dangling\":[\"1\"]}"))).isFalse();
        assertThat(VolumeCodec.matches(used, VolumeCodec.listFilters("{\"dangling\":[\"false\"]}"))).isTrue();
    }

    @Test
    void shouldRefuseAnUnknownFilterOrANonBooleanDangling() {
        assertThatThrownBy(() -> VolumeCodec.listFilters("{\"dangling\":[\"maybe\"]}"))
                .isInstanceOf(EngineFailure.class).hasMessage("invalid filter 'dangling=maybe'");
        assertThatThrownBy(() -> VolumeCodec.listFilters("{\"size\":[\"1\"]}"))
                .isInstanceOf(EngineFailure.class).hasMessage("invalid filter 'size'");
    }

    @Test
    void shouldPruneEveryUnusedLocalVolumeUpToApi141() {
        Filters none = VolumeCodec.pruneFilters(null, V1_41);

        assertThat(VolumeCodec.prunable(volume("named", "local", Map.of(), List.of()), none, V1_41)).isTrue();
        assertThat(VolumeCodec.prunable(volume("used", "local", Map.of(), List.of("c1")), none, V1_41)).isFalse();
        assertThat(VolumeCodec.prunable(volume("plugin", "plug", Map.of(), List.of()), none, V1_41)).isFalse();
    }

    @Test
    void shouldPruneOnlyAnonymousVolumesFromApi142UnlessAllIsAsked() {
        Volumes.Volume named = volume("named", "local", Map.of(), List.of());
        Volumes.Volume anonymous = volume("f00", "local", Map.of(Volumes.ANONYMOUS_LABEL, ""), List.of());

        assertThat(VolumeCodec.prunable(named, VolumeCodec.pruneFilters(null, V1_43), V1_43)).isFalse();
        assertThat(VolumeCodec.prunable(anonymous, VolumeCodec.pruneFilters(null, V1_43), V1_43)).isTrue();
        assertThat(VolumeCodec.prunable(named, VolumeCodec.pruneFilters("{\"all\":[\"true\"]}", V1_43), V1_43)).isTrue();
        assertThatThrownBy(() -> VolumeCodec.pruneFilters("{\"all\":[\"true\"]}", V1_41))
                .isInstanceOf(EngineFailure.class).hasMessage("invalid filter 'all'");
    }

    @Test
    void shouldPruneByLabelAndSpareTheExcludedLabel() {
        Volumes.Volume keep = volume("keep", "local", Map.of("keep", "yes"), List.of());
        Volumes.Volume scratch = volume("scratch", "local", Map.of("tmp", "1"), List.of());

        Filters withoutKeep = VolumeCodec.pruneFilters("{\"label!\":[\"keep\"]}", V1_41);
        assertThat(VolumeCodec.prunable(keep, withoutKeep, V1_41)).isFalse();
        assertThat(VolumeCodec.prunable(scratch, withoutKeep, V1_41)).isTrue();
        Filters onlyTmp = VolumeCodec.pruneFilters("{\"label\":[\"tmp=1\"]}", V1_41);
        assertThat(VolumeCodec.prunable(keep, onlyTmp, V1_41)).isFalse();
        assertThat(VolumeCodec.prunable(scratch, onlyTmp, V1_41)).isTrue();
    }
}
