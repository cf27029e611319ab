package dev.keel.os.image;

import java.util.List;

/**
 * What {@code docker load} stored: each image of the archive once, in archive order, with the references the
 * archive names it by. Nothing is tagged yet: that is the caller's, once it recorded the images.
 */
public record LoadResult(List<Image> images) {
    public LoadResult {
        images = List.copyOf(images);
    }

    public record Image(Digest id, List<ImageReference> references) {
        public Image {
            references = List.copyOf(references);
        }
    }
}
