package dev.keel.pluginhost;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The legacy plugins this daemon has activated, by name. A plugin is looked up and activated lazily, the first time
 * something names it, and then cached with the interfaces it implements. A failed lookup or activation caches
 * nothing, so the next use tries again.
 *
 * <p>Every method blocks (discovery and activation are retried with back-off up to the retry limit): call it off
 * actor threads.
 */
public final class Plugins implements AutoCloseable {

    private final PluginLocator locator;
    private final Backoff backoff;
    private final ScheduledExecutorService watchdogs;
    private final PluginHttpClient http;
    private final Map<String, Plugin> activated = new ConcurrentHashMap<>();
    private final Map<String, Object> loading = new ConcurrentHashMap<>();
    private final Map<AdapterKey, Object> adapters = new ConcurrentHashMap<>();

    private record AdapterKey(String name, PluginInterface via) {}

    public Plugins(PluginHostSettings settings) {
        this.locator = new PluginLocator(settings.socketDirs(), settings.specDirs());
        this.backoff = Backoff.of(settings);
        this.watchdogs = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "keel-plugin-call-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        this.http = new PluginHttpClient(watchdogs, settings.callTimeout(), settings.maxResponseBytes());
    }

    /**
     * The plugin called {@code name}, activated, implementing {@code wanted}.
     *
     * @throws PluginFailure {@link PluginFailure.Reason#NO_SUCH_PLUGIN} when it is not found within the retry limit,
     *     {@link PluginFailure.Reason#WRONG_INTERFACE} ("Plugin does not implement the requested driver"), or the
     *     activation's failure
     */
    public Plugin get(String name, PluginInterface wanted) {
        Plugin plugin = activated.get(name);
        if (plugin == null) {
            synchronized (loading.computeIfAbsent(name, n -> new Object())) {
                plugin = activated.get(name);
                if (plugin == null) {
                    plugin = load(name);
                    activated.put(name, plugin);
                }
            }
        }
        if (!plugin.implementsInterface(wanted)) {
            throw new PluginFailure(PluginFailure.Reason.WRONG_INTERFACE,
                    "Plugin does not implement the requested driver: " + name + " implements "
                            + plugin.implementedInterfaces() + ", not " + wanted.wireName());
        }
        return plugin;
    }

    /**
     * The one adapter of plugin {@code name} for {@code via}, made by {@code make} at first use, so that what an
     * adapter learns once (a volume driver's scope, a network driver's capabilities) is asked once. A failure to
     * make it is not remembered.
     */
    public <A> A adapter(String name, PluginInterface via, Function<Plugin, A> make) {
        AdapterKey key = new AdapterKey(name, via);
        Object known = adapters.get(key);
        if (known == null) {
            Object made = make.apply(get(name, via));
            known = Objects.requireNonNullElse(adapters.putIfAbsent(key, made), made);
        }
        @SuppressWarnings("unchecked")
        A adapter = (A) known;
        return adapter;
    }

    /** The activated plugins by name, with the interfaces they implement (for {@code docker info}). */
    public Map<String, List<String>> activatedPlugins() {
        Map<String, List<String>> result = new TreeMap<>();
        activated.forEach((name, plugin) -> result.put(name, plugin.implementedInterfaces()));
        return result;
    }

    private Plugin load(String name) {
        Backoff.Attempts attempts = backoff.start();
        Optional<PluginAddress> address = locator.locate(name);
        while (address.isEmpty()) {
            if (!attempts.awaitNext()) {
                throw new PluginFailure(PluginFailure.Reason.NO_SUCH_PLUGIN, "plugin \"" + name + "\" not found");
            }
            address = locator.locate(name);
        }
        Plugin plugin = new Plugin(name, address.get(), http, backoff);
        plugin.activate();
        return plugin;
    }

    @Override
    public void close() {
        watchdogs.shutdownNow();
    }
}
