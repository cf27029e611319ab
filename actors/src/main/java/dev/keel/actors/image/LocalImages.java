package dev.keel.actors.image;

import com.typesafe.config.Config;
import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.Domain;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.os.archive.ArchiveEscapeException;
import dev.keel.os.archive.Syscalls;
import dev.keel.os.image.ArchiveFormat;
import dev.keel.os.image.ConfigChanges;
import dev.keel.os.image.ContainerDefaults;
import dev.keel.os.image.Digest;
import dev.keel.os.image.ImageArchives;
import dev.keel.os.image.ImageCatalog;
import dev.keel.os.image.HistoryEntry;
import dev.keel.os.image.ImageJson;
import dev.keel.os.image.ImagePlatform;
import dev.keel.os.image.ImageReference;
import dev.keel.os.image.ImageSettings;
import dev.keel.os.image.ImageStore;
import dev.keel.os.image.InvalidImageException;
import dev.keel.os.image.LoadResult;
import dev.keel.os.image.NoSuchImageException;
import dev.keel.os.image.ReferenceIndex;
import dev.keel.os.image.RootFs;
import dev.keel.os.image.RootfsImport;
import dev.keel.os.image.StoredImage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Images} on this host: content in the native image store, every change recorded by the image's
 * {@link ImageEntity} before it is reported, and the store's reference index kept as a projection of the entities'
 * tags.
 *
 * <p>Order of every change: content is stored first (an image without an entity is garbage that {@link #recover}
 * collects), then the entity records, then the reference index and the store follow what was recorded. Changes run
 * one at a time: the store's garbage collection would otherwise take the layers of an import still in flight, and a
 * delete could race an import of the same content. All store work runs on Pekko's blocking-io dispatcher.
 */
public final class LocalImages implements Images {

    private static final Logger log = LoggerFactory.getLogger(LocalImages.class);
    private static final String MISSING = "<missing>";
    /** Entities asked at once when reading what the journal recorded (at start, or to name a conflicting container). */
    private static final int ENTITIES_ASKED_AT_ONCE = 8;

    private final ActorSystem<?> system;
    private final Domain domain;
    private final ImageCatalog catalog;
    private final Function<String, Optional<String>> containerUsing;
    private final RootfsImport rootfsImport;
    private final ImageArchives archives;
    private final Executor blocking;
    private final Executor actors;
    private final Duration askTimeout;
    private final Clock clock;
    private final ImageJson json;
    private CompletableFuture<?> lastChange = CompletableFuture.completedFuture(null);

    public LocalImages(ActorSystem<?> system, Domain domain, ImageCatalog catalog,
                       Function<String, Optional<String>> containerUsing,
                       Clock clock) {
        ImageJson json = new ImageJson();
        this.system = system;
        this.domain = domain;
        this.catalog = catalog;
        this.containerUsing = containerUsing;
        this.rootfsImport = new RootfsImport(catalog, json, ImagePlatform.host(), clock);
        this.archives = new ImageArchives(catalog, json);
        this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        this.actors = system.executionContext();
        this.askTimeout = ActorsSettings.from(system.settings().config()).askTimeout();
        this.clock = clock;
        this.json = json;
    }

    /** Opens the host's image store under {@code keel.native.image}; {@link #recover} rebuilds its reference index. */
    public static ImageCatalog openCatalog(Config config) {
        ImageSettings settings = ImageSettings.fromConfig(config.getConfig("keel.native.image"));
        ImageJson json = new ImageJson();
        try {
            return new ImageCatalog(new ImageStore(settings, Syscalls.load(), json), new ReferenceIndex(settings, json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the image store under " + settings.imageDir(), e);
        }
    }

    /**
     * Makes the store agree with the Image entities: the reference index becomes their tags, stored images no
     * entity holds are deleted, and an entity whose content is gone records its deletion.
     */
    public CompletionStage<Void> recover() {
        return domain.recordedIds(ImageEntity.ENTITY_KEY)
                .mapAsync(ENTITIES_ASKED_AT_ONCE, this::state)
                .filter(ImageEntity.State::isPresent)
                .runWith(Sink.seq(), system)
                .thenCompose(present -> oneAtATime(() -> onStore(() -> reconcile(present))
                        .thenCompose(lost -> sequentially(lost, imageId -> {
                            log.warn("image {} is recorded but its content is gone from the store; recording its deletion",
                                    imageId);
                            return confirm(imageId, r -> new ImageEntity.Delete(true, r));
                        }))))
                .thenApply(deleted -> null);
    }

    /** Returns the ids of present images whose content the store lacks. */
    private List<String> reconcile(List<ImageEntity.State> present) throws IOException {
        ImageStore store = catalog.store();
        Map<String, ImageEntity.State> byId = new HashMap<>();
        present.forEach(s -> byId.put(s.imageId(), s));
        List<String> lost = new ArrayList<>();
        Map<ImageReference, Digest> references = new LinkedHashMap<>();
        for (ImageEntity.State state : present) {
            Digest id = Digest.parse(state.imageId());
            if (store.find(id).isEmpty()) {
                lost.add(state.imageId());
                continue;
            }
            state.repoTags().forEach(tag -> references.put(ImageReference.parse(tag), id));
        }
        for (StoredImage image : store.list()) {
            if (!byId.containsKey(image.id().toString())) {
                log.info("deleting image {}: stored but never recorded", image.id());
                store.delete(image.id());
            }
        }
        store.collectGarbage();
        catalog.references().replaceAll(references);
        return lost;
    }

    @Override
    public CompletionStage<ImageEntity.State> importRootfs(InputStream tar, String reference, List<String> changes,
                                                           String message) {
        Optional<ImageReference> ref;
        try {
            ref = reference.isEmpty() ? Optional.empty() : Optional.of(parseForTag(reference, "cannot import digest reference"));
        } catch (EngineFailure e) {
            return CompletableFuture.failedFuture(e);
        }
        return oneAtATime(() -> onStore(() -> recording(rootfsImport.importTarball(tar, changes, message)))
                .thenCompose(imported -> record(imported)
                        .thenCompose(recorded -> ref.isPresent()
                                ? tagRecorded(imported.imageId(), ref.get()).thenApply(previous -> null)
                                : CompletableFuture.completedFuture(null))
                        .thenCompose(tagged -> state(imported.imageId()))));
    }

    @Override
    public CompletionStage<ImageEntity.State> commit(CommitRequest request) {
        Optional<ImageReference> ref;
        try {
            ref = request.reference().isEmpty() ? Optional.empty()
                    : Optional.of(parseForTag(request.reference(), "cannot commit to a digest reference"));
        } catch (EngineFailure e) {
            return CompletableFuture.failedFuture(e);
        }
        return oneAtATime(() -> onStore(() -> recording(storeCommit(request)))
                .thenCompose(committed -> record(committed)
                        .thenCompose(recorded -> ref.isPresent()
                                ? tagRecorded(committed.imageId(), ref.get()).thenApply(previous -> null)
                                : CompletableFuture.completedFuture(null))
                        .thenCompose(tagged -> state(committed.imageId()))));
    }

    /**
     * The parent's config with the committed container's defaults (then the changes), its layers plus the new one,
     * and its history plus one entry, as Docker's commit writes it.
     */
    private StoredImage storeCommit(CommitRequest request) throws IOException {
        ImageStore store = catalog.store();
        StoredImage parent = store.find(Digest.parse(request.parentImageId()))
                .orElseThrow(() -> new NoSuchImageException(request.parentImageId()));
        dev.keel.os.image.ImageConfig base = parent.config();
        ContainerDefaults defaults = new ConfigChanges(json).apply(defaultsOf(request.config(),
                base.configOrEmpty()), request.changes());
        Digest diffId;
        try (InputStream layer = java.nio.file.Files.newInputStream(request.layerTar())) {
            diffId = store.addLayerTar(layer);
        }
        String created = DateTimeFormatter.ISO_INSTANT.format(clock.instant());
        List<Digest> diffIds = new ArrayList<>(base.diffIds());
        diffIds.add(diffId);
        List<HistoryEntry> history = new ArrayList<>(base.history() == null ? List.of() : base.history());
        history.add(new HistoryEntry(created, request.createdBy(), emptyToNull(request.author()),
                emptyToNull(request.comment()), null));
        dev.keel.os.image.ImageConfig config = new dev.keel.os.image.ImageConfig(base.architecture(), base.os(),
                base.variant(), created, emptyToNull(request.author()), emptyToNull(request.comment()), defaults,
                RootFs.layers(diffIds), history);
        try {
            return store.addImage(json.write(config));
        } catch (IOException | RuntimeException e) {
            store.discardUnreferencedBlob(diffId);
            throw e;
        }
    }

    /** The commit's config in the image config's shape; what it leaves unset stays the parent's (Healthcheck, ...). */
    private static ContainerDefaults defaultsOf(CommitConfig c, ContainerDefaults parent) {
        Map<String, Map<String, Object>> ports = null;
        if (!c.exposedPorts().isEmpty()) {
            ports = new LinkedHashMap<>();
            for (String port : c.exposedPorts()) {
                ports.put(port, Map.of());
            }
        }
        return new ContainerDefaults(emptyToNull(c.user()), ports, c.env().isEmpty() ? null : c.env(),
                c.entrypoint().isEmpty() ? null : c.entrypoint(), c.cmd().isEmpty() ? null : c.cmd(), parent.volumes(),
                emptyToNull(c.workingDir()), c.labels().isEmpty() ? null : c.labels(), emptyToNull(c.stopSignal()),
                parent.healthcheck(), parent.argsEscaped(), parent.onBuild(), parent.shell());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public CompletionStage<List<String>> load(InputStream archive) {
        return oneAtATime(() -> onStore(() -> {
            List<Recording> recordings = new ArrayList<>();
            for (LoadResult.Image image : archives.load(archive).images()) {
                recordings.add(recording(catalog.store().find(image.id()).orElseThrow(), image.references()));
            }
            return recordings;
        }).thenCompose(recordings -> sequentially(recordings, this::recordLoaded))
                .thenApply(perImage -> perImage.stream().flatMap(List::stream).toList()));
    }

    /** Docker's lines for one loaded image: "Loaded image: ref" per reference, else "Loaded image ID: id". */
    private CompletionStage<List<String>> recordLoaded(Recording loaded) {
        if (loaded.references().isEmpty()) {
            return record(loaded).thenApply(recorded -> List.of("Loaded image ID: " + loaded.imageId()));
        }
        return record(loaded).thenCompose(recorded -> sequentially(loaded.references(), ref ->
                tagRecorded(loaded.imageId(), ref).thenApply(previous -> {
                    List<String> lines = new ArrayList<>();
                    previous.ifPresent(old -> lines.add("The image " + ref.familiar()
                            + " already exists, renaming the old one with ID " + old + " to empty string"));
                    lines.add("Loaded image: " + ref.familiar());
                    return lines;
                })))
                .thenApply(perReference -> perReference.stream().flatMap(List::stream).toList());
    }

    @Override
    public CompletionStage<Export> save(List<String> refs) {
        return sequentially(refs, this::find).thenApply(found -> out -> archives.save(
                found.stream().map(Found::asNamed).toList(), ArchiveFormat.DOCKER_ARCHIVE, out));
    }

    @Override
    public CompletionStage<ImageEntity.State> inspect(String ref) {
        return find(ref).thenApply(Found::state);
    }

    @Override
    public CompletionStage<List<ImageEntity.State>> list(boolean all) {
        return onStore(() -> catalog.store().list()).thenComposeAsync(stored -> {
            List<CompletableFuture<ImageEntity.State>> states = stored.stream()
                    .map(image -> state(image.id().toString()).toCompletableFuture()).toList();
            return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).thenApply(done -> states.stream()
                    .map(CompletableFuture::join)
                    .filter(ImageEntity.State::isPresent)
                    .sorted(Comparator.comparing(ImageEntity.State::created).reversed()
                            .thenComparing(ImageEntity.State::imageId))
                    .toList());
        }, actors);
    }

    @Override
    public CompletionStage<List<HistoryItem>> history(String ref) {
        return find(ref).thenCompose(found -> onStore(() -> {
            List<HistoryItem> items = new ArrayList<>();
            for (dev.keel.os.image.HistoryItem item : catalog.history(found.state().imageId())) {
                boolean top = item.id() != null;
                items.add(new HistoryItem(top ? item.id().toString() : MISSING, instant(item.created()),
                        orEmpty(item.createdBy()), item.size(), top ? found.state().repoTags() : List.of(),
                        orEmpty(item.comment())));
            }
            return items;
        }));
    }

    @Override
    public CompletionStage<ImageEntity.State> tag(String ref, String repository, String tag) {
        ImageReference target;
        try {
            ImageReference named = parseForTag(repository, "refusing to create a tag with a digest reference");
            target = tag.isEmpty() ? named : parseTag(repository, tag);
        } catch (EngineFailure e) {
            return CompletableFuture.failedFuture(e);
        }
        return oneAtATime(() -> find(ref).thenCompose(found -> tagRecorded(found.state().imageId(), target)
                .thenCompose(previous -> state(found.state().imageId()))));
    }

    /**
     * Docker's rmi (daemon/images/image_delete.go). Keel's images have no parent images, so {@code prune} has nothing
     * to prune. An image a container uses is never deleted: its layers are that container's lower layers.
     */
    @Override
    public CompletionStage<List<Removal>> remove(String ref, boolean force, boolean prune) {
        return oneAtATime(() -> find(ref).thenCompose(found -> {
            String imageId = found.state().imageId();
            List<String> tags = found.state().repoTags();
            Optional<String> container = containerUsing.apply(imageId);
            boolean used = container.isPresent();
            if (!found.byId()) {
                if (!force && tags.size() == 1 && used) {
                    return failed(Rejection.CONFLICT,
                            "conflict: unable to remove repository reference \"" + ref + "\" (must force) - container "
                                    + shortId(container.get()) + " is using its referenced image " + shortId(imageId));
                }
                String familiar = ImageReference.parse(ref).familiar();
                return untag(imageId, familiar).thenCompose(untagged -> {
                    List<Removal> removals = List.of(new Removal(familiar, ""));
                    // The last reference goes with the image, unless a container still uses it (Docker keeps it dangling).
                    return tags.size() > 1 || used ? CompletableFuture.completedFuture(removals)
                            : delete(imageId, force, removals);
                });
            }
            if (used) {
                return failed(Rejection.CONFLICT, "conflict: unable to delete " + shortId(imageId)
                        + " (cannot be forced) - image is being used by running container " + shortId(container.get()));
            }
            if (tags.size() > 1 && !force) {
                return failed(Rejection.CONFLICT, "conflict: unable to delete " + shortId(imageId)
                        + " (must be forced) - image is referenced in multiple repositories");
            }
            return sequentially(tags, t -> untag(imageId, t).thenApply(untagged -> new Removal(t, "")))
                    .thenCompose(untagged -> delete(imageId, force, untagged));
        }));
    }

    // --- steps ----------------------------------------------------------------------------------------------------

    /** An image to record: its config as the entity keeps it, its size, and the references it came with. */
    private record Recording(String imageId, ImageConfig config, long sizeBytes, Instant created,
                             List<ImageReference> references) {}

    /** An image a client named, as its entity holds it, and whether the name was its id. */
    private record Found(String name, ImageEntity.State state, boolean byId) {
        /** What {@link ImageArchives#save} writes it under: the reference given, or the id when named by id. */
        String asNamed() {
            return byId ? state.imageId() : name;
        }
    }

    private Recording recording(StoredImage image) throws IOException {
        return recording(image, List.of());
    }

    private Recording recording(StoredImage image, List<ImageReference> references) throws IOException {
        dev.keel.os.image.ImageConfig config = image.config();
        ContainerDefaults defaults = config.configOrEmpty();
        ImageConfig recorded = new ImageConfig(orEmpty(config.architecture()), orEmpty(config.os()),
                orEmpty(defaults.cmd()), orEmpty(defaults.entrypoint()), orEmpty(defaults.env()),
                orEmpty(defaults.workingDir()), orEmpty(defaults.user()),
                defaults.labels() == null ? Map.of() : defaults.labels(),
                defaults.exposedPorts() == null ? List.of() : List.copyOf(defaults.exposedPorts().keySet()),
                orEmpty(defaults.stopSignal()), config.diffIds().stream().map(Digest::toString).toList());
        return new Recording(image.id().toString(), recorded, catalog.store().size(image.id()),
                instant(config.created()), references);
    }

    private CompletionStage<Void> record(Recording image) {
        return confirm(image.imageId(),
                r -> new ImageEntity.Import(image.config(), image.sizeBytes(), image.created(), r));
    }

    /**
     * Records the reference on the image, first untagging it from the image it named before (as Docker moves a tag),
     * then points the index at it; answers the image the reference moved from.
     */
    private CompletionStage<Optional<String>> tagRecorded(String imageId, ImageReference ref) {
        String familiar = ref.familiar();
        Optional<String> previous = catalog.references().lookup(ref).map(Digest::toString)
                .filter(p -> !p.equals(imageId));
        CompletionStage<Void> untagged = previous.isEmpty() ? CompletableFuture.completedFuture(null)
                : ask(previous.get(), r -> new ImageEntity.Untag(familiar, r)).thenCompose(c -> c.isAccepted()
                        || c instanceof Confirmation.Rejected rejected && rejected.reason() == Rejection.NOT_FOUND
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(EngineFailure.of((Confirmation.Rejected) c)));
        return untagged
                .thenCompose(done -> confirm(imageId, r -> new ImageEntity.Tag(familiar, r)))
                .thenCompose(done -> onStore(() -> catalog.references().tag(ref, Digest.parse(imageId))))
                .thenApply(done -> previous);
    }

    private CompletionStage<Void> untag(String imageId, String familiar) {
        return confirm(imageId, r -> new ImageEntity.Untag(familiar, r))
                .thenCompose(done -> onStore(() -> catalog.references().untag(ImageReference.parse(familiar))))
                .thenApply(done -> null);
    }

    /** Records the deletion, then removes the content; Docker lists the image and each layer that went with it. */
    private CompletionStage<List<Removal>> delete(String imageId, boolean force, List<Removal> before) {
        return confirm(imageId, r -> new ImageEntity.Delete(force, r))
                .thenCompose(done -> onStore(() -> catalog.store().delete(Digest.parse(imageId))))
                .thenApply(layers -> {
                    List<Removal> removals = new ArrayList<>(before);
                    removals.add(new Removal("", imageId));
                    layers.forEach(layer -> removals.add(new Removal("", layer.toString())));
                    return removals;
                });
    }

    /** The image {@code ref} names, if its entity holds it present: "No such image: ref" otherwise. */
    private CompletionStage<Found> find(String ref) {
        return onStore(() -> catalog.resolve(ref)).thenCompose(image -> state(image.id().toString())
                .thenCompose(state -> state.isPresent()
                        ? CompletableFuture.completedFuture(new Found(ref, state, ImageCatalog.namesId(ref, image.id())))
                        : failed(Rejection.NOT_FOUND, "No such image: " + ref)));
    }

    // --- plumbing -------------------------------------------------------------------------------------------------

    private CompletionStage<ImageEntity.State> state(String imageId) {
        return domain.image(imageId).ask(ImageEntity.Get::new, askTimeout);
    }

    private CompletionStage<Confirmation> ask(String imageId,
                                              Function<ActorRef<Confirmation>, ImageEntity.Command> command) {
        return domain.image(imageId).ask(command::apply, askTimeout);
    }

    /** Asks the image's entity and fails with its rejection, if any. */
    private CompletionStage<Void> confirm(String imageId, Function<ActorRef<Confirmation>, ImageEntity.Command> command) {
        return ask(imageId, command).thenCompose(c -> c instanceof Confirmation.Rejected rejected
                ? CompletableFuture.failedFuture(EngineFailure.of(rejected))
                : CompletableFuture.completedFuture(null));
    }

    /** Runs the change after every change asked before it has finished, failed or not. */
    private synchronized <T> CompletionStage<T> oneAtATime(Supplier<CompletionStage<T>> change) {
        CompletableFuture<T> next = lastChange.handle((result, failure) -> null)
                .thenComposeAsync(previous -> change.get(), actors);
        lastChange = next;
        return next;
    }

    private <T, R> CompletionStage<List<R>> sequentially(List<T> items, Function<T, CompletionStage<R>> step) {
        CompletionStage<List<R>> results = CompletableFuture.completedFuture(new ArrayList<>());
        for (T item : items) {
            results = results.thenCompose(list -> step.apply(item).thenApply(r -> {
                list.add(r);
                return list;
            }));
        }
        return results;
    }

    private interface StoreWork<T> {
        T run() throws IOException;
    }

    /** Runs store work on the blocking dispatcher; its failures become Docker's: 404, 400, or the host's own. */
    private <T> CompletionStage<T> onStore(StoreWork<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.run();
            } catch (NoSuchImageException e) {
                throw new CompletionException(new EngineFailure(Rejection.NOT_FOUND, e.getMessage()));
            } catch (InvalidImageException | ArchiveEscapeException | EOFException | IllegalArgumentException e) {
                throw new CompletionException(new EngineFailure(Rejection.INVALID_ARGUMENT, e.getMessage(), e));
            } catch (IOException e) {
                throw new CompletionException(new EngineFailure(Rejection.HOST_FAILURE, e.getMessage(), e));
            }
        }, blocking);
    }

    private static <T> CompletionStage<T> failed(Rejection reason, String message) {
        return CompletableFuture.failedFuture(new EngineFailure(reason, message));
    }

    /** A reference a tag may be: parsed as Docker's daemon does, never with a digest. */
    private static ImageReference parseForTag(String reference, String digestMessage) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, e.getMessage());
        }
        if (ref.digest() != null) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, digestMessage);
        }
        return ref;
    }

    private static ImageReference parseTag(String repository, String tag) {
        try {
            return ImageReference.parse(repository + ":" + tag);
        } catch (IllegalArgumentException e) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "invalid tag format");
        }
    }

    private static String shortId(String id) {
        String hex = id.startsWith(Digest.ALGORITHM + ":") ? id.substring(Digest.ALGORITHM.length() + 1) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    private static Instant instant(String created) {
        if (created == null) {
            return Instant.EPOCH;
        }
        try {
            return OffsetDateTime.parse(created).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }
}
