package dev.keel.os.image;

import java.util.List;

/** What {@code docker image inspect} shows of an image, before the Engine API's field mapping. */
public record ImageDetails(
    Digest id,
    List<String> repoTags,
    String created,
    String author,
    String comment,
    String architecture,
    String os,
    ContainerDefaults config,
    List<Digest> diffIds,
    long size) {
}
