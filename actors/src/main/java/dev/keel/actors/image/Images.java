package dev.keel.actors.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Docker's image verbs on this host: content in the host's image store, every change recorded by the image's
 * {@link ImageEntity} (the source of truth for which images exist and their tags).
 *
 * <p>{@code ref} is what a client may name an image by: a reference ("busybox", "busybox:1.36",
 * "localhost:5000/a/b:tag", ":latest" implied), the full id ("sha256:…"), the hex digest, or a unique prefix of it.
 * Futures fail with a {@link dev.keel.actors.EngineFailure}: {@code NOT_FOUND} "No such image: ref",
 * {@code CONFLICT} for an image in use, {@code INVALID_ARGUMENT} for a bad reference or archive.
 */
public interface Images {

    /** One line of {@code docker history}. */
    record HistoryItem(String id, Instant created, String createdBy, long sizeBytes, List<String> tags,
                       String comment) {}

    /** One entry of {@code docker rmi}'s answer: exactly one of the two is non-empty. */
    record Removal(String untagged, String deleted) {}

    /** An archive ready to be written ({@code docker save}): the images were found before any byte is written. */
    interface Export {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * {@code docker import}: a root filesystem tarball (uncompressed or gzip) becomes a one-layer image.
     *
     * @param reference "repo[:tag]" to tag it with, empty for none
     * @param changes   Dockerfile instructions ("CMD ["sh"]", "ENV A=b", "WORKDIR /x", ...)
     */
    CompletionStage<ImageEntity.State> importRootfs(InputStream tar, String reference, List<String> changes,
                                                    String message);

    /** {@code docker load} of a docker-archive or OCI layout tarball; answers Docker's "Loaded image: …" lines. */
    CompletionStage<List<String>> load(InputStream archive);

    CompletionStage<Export> save(List<String> refs);

    CompletionStage<ImageEntity.State> inspect(String ref);

    /** Every present image; {@code all} has no extra effect until images have parents. Newest first. */
    CompletionStage<List<ImageEntity.State>> list(boolean all);

    /** {@code docker tag}: {@code repository} may carry a registry; an empty tag is "latest". */
    CompletionStage<ImageEntity.State> tag(String ref, String repository, String tag);

    /**
     * {@code docker rmi}: a reference is untagged; the image is deleted with its last reference (or by id), unless a
     * container uses it ({@code CONFLICT}) and {@code force} is not given.
     */
    CompletionStage<List<Removal>> remove(String ref, boolean force, boolean prune);

    CompletionStage<List<HistoryItem>> history(String ref);
}
