/**
 * Out-of-process plugins speaking Docker's plugin protocol: discovery, activation, adapters onto the driver SPIs.
 *
 * <p>{@link dev.keel.pluginhost.Plugins} is the one entry point: built from {@link
 * dev.keel.pluginhost.PluginHostSettings} ({@code keel.plugin-host}), it finds a legacy plugin by name (sockets, then
 * {@code .spec}/{@code .json} files, in Docker's order), activates it once and caches it. The adapters in
 * {@code .volume}, {@code .network} and {@code .authz} turn a plugin into a {@code VolumeDriver}, a {@code
 * NetworkDriver}, an {@code IpamDriver} or an authorization check. Everything here blocks: call it off actor threads.
 */
package dev.keel.pluginhost;
