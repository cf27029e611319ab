package dev.keel.os.image;

import java.util.List;

/** What {@code docker load} reports: "Loaded image: tag" for each tag and "Loaded image ID: id" for untagged. */
public record LoadResult(List<Digest> imageIds, List<String> repoTags) {
}
