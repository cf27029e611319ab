package dev.keel.actors.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * The config a committed image starts containers with; empty values are unset.
     *
     * @param exposedPorts "80/tcp", ...
     */
    record CommitConfig(List<String> cmd, List<String> entrypoint, List<String> env, String workingDir, String user,
                        Map<String, String> labels, List<String> exposedPorts, String stopSignal) {

        public CommitConfig {
            cmd = List.copyOf(cmd);
            entrypoint = List.copyOf(entrypoint);
            env = List.copyOf(env);
            labels = Map.copyOf(labels);
            exposedPorts = List.copyOf(exposedPorts);
        }

        /**
         * Docker's merge of a commit's Config over the container's ({@code base}): what this sets wins; Env, Labels and
         * ExposedPorts are merged by key; Cmd comes from {@code base} only when neither Cmd nor Entrypoint is set here.
         */
        public CommitConfig over(CommitConfig base) {
            Map<String, String> envByKey = new LinkedHashMap<>();
            base.env.forEach(e -> envByKey.put(envKey(e), e));
            env.forEach(e -> envByKey.put(envKey(e), e));
            Map<String, String> mergedLabels = new LinkedHashMap<>(base.labels);
            mergedLabels.putAll(labels);
            Set<String> ports = new LinkedHashSet<>(base.exposedPorts);
            ports.addAll(exposedPorts);
            boolean ownCommand = !cmd.isEmpty() || !entrypoint.isEmpty();
            return new CommitConfig(ownCommand ? cmd : base.cmd, entrypoint.isEmpty() ? base.entrypoint : entrypoint,
                    List.copyOf(envByKey.values()), workingDir.isEmpty() ? base.workingDir : workingDir,
                    user.isEmpty() ? base.user : user, mergedLabels, List.copyOf(ports),
                    stopSignal.isEmpty() ? base.stopSignal : stopSignal);
        }

        private static String envKey(String entry) {
            int eq = entry.indexOf('=');
            return eq < 0 ? entry : entry.substring(0, eq);
        }
    }

    /**
     * {@code docker commit}.
     *
     * @param parentImageId the image the container was made from: the new image has its layers, then {@code layerTar}
     * @param layerTar      the container's changes as a layer tar
     * @param createdBy     the history entry's "created by" (Docker: the container's command)
     * @param reference     "repo[:tag]" to tag the new image with, empty for none
     * @param changes       Dockerfile instructions ("CMD ["sh"]", "ENV A=b") applied over {@code config}
     */
    record CommitRequest(String parentImageId, Path layerTar, CommitConfig config, String createdBy, String reference,
                         String comment, String author, List<String> changes) {}

    /** Stores the new image and records it (Import, then Tag when a reference is given). */
    CompletionStage<ImageEntity.State> commit(CommitRequest request);
}
