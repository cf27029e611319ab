package dev.keel.httpapi.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.image.ImageConfig;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.image.Images;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.Filters;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageCodecTest {

    private static final String ID = "sha256:" + "ab".repeat(32);
    private static final Instant CREATED = Instant.parse("2024-05-06T07:08:09.123456789Z");
    private static final ImageConfig CONFIG = new ImageConfig("amd64", "linux", List.of("sh"), List.of(),
            List.of("PATH=/bin"), "/srv", "", Map.of("tier", "web"), List.of("80/tcp"), "", List.of("sha256:" + "cd".repeat(32)));

    private static ImageEntity.State image(List<String> tags) {
        return new ImageEntity.State(ID, ImageEntity.Status.PRESENT, CONFIG, 1234, CREATED, tags, CREATED);
    }

    @Test
    void shouldSummarizeATaggedImageAsDockerLists() {
        Map<String, Object> summary = ImageCodec.summary(image(List.of("web:1")), -1, ApiVersion.MAX);

        assertThat(summary).containsEntry("Id", ID).containsEntry("ParentId", "")
                .containsEntry("RepoTags", List.of("web:1")).containsEntry("RepoDigests", List.of())
                .containsEntry("Created", CREATED.getEpochSecond()).containsEntry("Size", 1234L)
                .containsEntry("SharedSize", -1).containsEntry("VirtualSize", 1234L)
                .containsEntry("Labels", Map.of("tier", "web")).containsEntry("Containers", -1L);
    }

    @Test
    void shouldListADanglingImageWithDockersPlaceholders() {
        Map<String, Object> summary = ImageCodec.summary(image(List.of()), -1, ApiVersion.MAX);

        assertThat(summary).containsEntry("RepoTags", List.of("<none>:<none>"))
                .containsEntry("RepoDigests", List.of("<none>@<none>"));
    }

    @Test
    void shouldInspectWithRootFsLayersAndNanosecondCreationTime() {
        Map<String, Object> inspect = ImageCodec.inspect(image(List.of("web:1")), "imported");

        assertThat(inspect).containsEntry("Created", "2024-05-06T07:08:09.123456789Z")
                .containsEntry("Comment", "imported").containsEntry("Os", "linux").containsEntry("Architecture", "amd64")
                .containsEntry("RootFS", Map.of("Type", "layers", "Layers", CONFIG.layerDiffIds()));
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) inspect.get("Config");
        assertThat(config).containsEntry("Cmd", List.of("sh")).containsEntry("Entrypoint", null)
                .containsEntry("WorkingDir", "/srv").containsEntry("ExposedPorts", Map.of("80/tcp", Map.of()));
    }

    @Test
    void shouldEncodeHistoryAndRemovalsInDockersShape() {
        assertThat(ImageCodec.history(List.of(new Images.HistoryItem(ID, CREATED, "import", 10, List.of("web:1"), "c"))))
                .containsExactly(Map.of("Id", ID, "Created", CREATED.getEpochSecond(), "CreatedBy", "import",
                        "Tags", List.of("web:1"), "Size", 10L, "Comment", "c"));
        assertThat(ImageCodec.removals(List.of(new Images.Removal("web:1", ""), new Images.Removal("", ID))))
                .containsExactly(Map.of("Untagged", "web:1"), Map.of("Deleted", ID));
    }

    @Test
    void shouldWriteOneJsonMessagePerLine() {
        assertThat(ImageCodec.message("status", ID).utf8String()).isEqualTo("{\"status\":\"" + ID + "\"}\n");
        assertThat(ImageCodec.message("stream", "Loaded image: web:1\n").utf8String())
                .isEqualTo("{\"stream\":\"Loaded image: web:1\\n\"}\n");
    }

    @Test
    void shouldJoinRepositoryAndTagIntoAReference() {
        assertThat(ImageCodec.reference("web", "")).isEqualTo("web");
        assertThat(ImageCodec.reference("web", "1.2")).isEqualTo("web:1.2");
        assertThat(ImageCodec.reference("localhost:5000/team/web", "v1")).isEqualTo("localhost:5000/team/web:v1");
        assertThat(ImageCodec.reference("", "")).isEmpty();
    }

    @Test
    void shouldRefuseBadReferencesWithDockersMessages() {
        assertThatThrownBy(() -> ImageCodec.reference("bad name", "")).hasMessage("invalid reference format");
        assertThatThrownBy(() -> ImageCodec.reference("Web", ""))
                .hasMessage("invalid reference format: repository name must be lowercase");
        assertThatThrownBy(() -> ImageCodec.reference("web", "bad tag")).hasMessage("invalid reference format");
        assertThatThrownBy(() -> ImageCodec.reference("ab".repeat(32), ""))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT))
                .hasMessageContaining("cannot specify 64-byte hexadecimal strings");
    }

    @Test
    void shouldSplitATagOffTheRepositoryButNotARegistryPort() {
        assertThat(ImageCodec.repositoryAndTag("web:1", "")).containsExactly("web", "1");
        assertThat(ImageCodec.repositoryAndTag("localhost:5000/web", "")).containsExactly("localhost:5000/web", "");
        assertThat(ImageCodec.repositoryAndTag("web", "2")).containsExactly("web", "2");
        assertThatThrownBy(() -> ImageCodec.repositoryAndTag("", ""))
                .hasMessage("repository name must have at least one component");
    }

    @Test
    void shouldMatchReferenceFiltersAsGoPathMatch() {
        assertThat(ImageCodec.referenceMatches("web", "web:1")).isTrue();
        assertThat(ImageCodec.referenceMatches("we*", "web:1")).isTrue();
        assertThat(ImageCodec.referenceMatches("web:1*", "web:1.2")).isTrue();
        assertThat(ImageCodec.referenceMatches("web:2", "web:1")).isFalse();
        assertThat(ImageCodec.referenceMatches("*", "team/web:1")).isFalse();
        assertThat(ImageCodec.referenceMatches("*/web", "team/web:1")).isTrue();
        assertThat(ImageCodec.referenceMatches("w[a-f]b", "web:1")).isTrue();
        assertThat(ImageCodec.referenceMatches("w[^e]b", "web:1")).isFalse();
    }

    @Test
    void shouldListOnlyTheTagsAReferenceFilterMatches() {
        ImageEntity.State image = image(List.of("web:1", "localhost:5000/team/web:x"));

        assertThat(ImageCodec.listedTags(image, Filters.parse("{\"reference\":[\"web*\"]}", ImageCodec.LIST_FILTERS)))
                .containsExactly("web:1");
        assertThat(ImageCodec.listedTags(image, Filters.NONE)).containsExactly("web:1", "localhost:5000/team/web:x");
        assertThat(ImageCodec.matches(image, Filters.parse("{\"reference\":[\"db\"]}", ImageCodec.LIST_FILTERS))).isFalse();
    }

    @Test
    void shouldNameReferencesAsDockerShowsThem() {
        assertThat(ImageCodec.familiar("docker.io/library/busybox:1")).isEqualTo("busybox:1");
        assertThat(ImageCodec.familiar("docker.io/team/web")).isEqualTo("team/web");
        assertThat(ImageCodec.familiar("localhost:5000/library/web")).isEqualTo("localhost:5000/library/web");
        assertThat(ImageCodec.familiar("busybox")).isEqualTo("busybox");
    }

    @Test
    void shouldRefuseABadFilterBeforeListing() {
        assertThatThrownBy(() -> ImageCodec.checkListFilters(Filters.parse("{\"reference\":[\"[web\"]}", ImageCodec.LIST_FILTERS)))
                .hasMessageContaining("invalid filter 'reference'");
        assertThatThrownBy(() -> ImageCodec.checkListFilters(Filters.parse("{\"dangling\":[\"maybe\"]}", ImageCodec.LIST_FILTERS)))
                .hasMessage("invalid filter 'dangling=maybe'");
        assertThatThrownBy(() -> Filters.parse("{\"colour\":[\"red\"]}", ImageCodec.LIST_FILTERS))
                .hasMessage("invalid filter 'colour'");
    }

    @Test
    void shouldFilterByDanglingLabelAndReference() {
        ImageEntity.State tagged = image(List.of("web:1"));
        ImageEntity.State dangling = image(List.of());

        Filters danglingOnly = Filters.parse("{\"dangling\":{\"true\":true}}", ImageCodec.LIST_FILTERS);
        assertThat(ImageCodec.matches(dangling, danglingOnly)).isTrue();
        assertThat(ImageCodec.matches(tagged, danglingOnly)).isFalse();
        assertThat(ImageCodec.matches(tagged, Filters.parse("{\"label\":[\"tier=web\"]}", ImageCodec.LIST_FILTERS))).isTrue();
        assertThat(ImageCodec.matches(tagged, Filters.parse("{\"label\":[\"tier=db\"]}", ImageCodec.LIST_FILTERS))).isFalse();
        assertThat(ImageCodec.matches(tagged, Filters.parse("{\"reference\":[\"web\"]}", ImageCodec.LIST_FILTERS))).isTrue();
    }

    @Test
    void shouldPruneOnlyDanglingImagesUnlessToldOtherwise() {
        ImageEntity.State tagged = image(List.of("web:1"));
        ImageEntity.State dangling = image(List.of());
        Instant now = CREATED.plusSeconds(3600);

        ImageCodec.PruneSelection byDefault = ImageCodec.pruneSelection(Filters.NONE, now);
        ImageCodec.PruneSelection all = ImageCodec.pruneSelection(
                Filters.parse("{\"dangling\":[\"false\"]}", ImageCodec.PRUNE_FILTERS), now);
        ImageCodec.PruneSelection notWeb = ImageCodec.pruneSelection(
                Filters.parse("{\"dangling\":[\"false\"],\"label!\":[\"tier=web\"]}", ImageCodec.PRUNE_FILTERS), now);
        ImageCodec.PruneSelection olderThanTwoHours = ImageCodec.pruneSelection(
                Filters.parse("{\"until\":[\"2h\"]}", ImageCodec.PRUNE_FILTERS), now);

        assertThat(byDefault.matches(dangling)).isTrue();
        assertThat(byDefault.matches(tagged)).isFalse();
        assertThat(all.matches(tagged)).isTrue();
        assertThat(notWeb.matches(tagged)).isFalse();
        assertThat(olderThanTwoHours.matches(dangling)).isFalse();
    }

    @Test
    void shouldReadDockersTimestampsAndRefuseOthers() {
        Instant now = Instant.parse("2024-01-02T00:00:00Z");

        assertThat(ImageCodec.timestamp("until", "1700000000", now)).isEqualTo(Instant.ofEpochSecond(1700000000));
        assertThat(ImageCodec.timestamp("until", "1700000000.5", now)).isEqualTo(Instant.ofEpochSecond(1700000000, 500_000_000));
        assertThat(ImageCodec.timestamp("until", "1h30m", now)).isEqualTo(now.minusSeconds(5400));
        assertThat(ImageCodec.timestamp("until", "2023-12-31T00:00:00Z", now)).isEqualTo(Instant.parse("2023-12-31T00:00:00Z"));
        assertThatThrownBy(() -> ImageCodec.timestamp("until", "yesterday", now))
                .hasMessage("invalid filter 'until=yesterday': not a timestamp or a duration");
    }

    @Test
    void shouldReadDockersBooleanQueryValues() {
        assertThat(List.of("", "0", "no", "false", "none", "FALSE")).allMatch(v -> !ImageCodec.flag(v));
        assertThat(List.of("1", "true", "yes")).allMatch(ImageCodec::flag);
    }
}
