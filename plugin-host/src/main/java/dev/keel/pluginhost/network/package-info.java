/**
 * {@code NetworkDriver} and {@code IpamDriver} plugins (libnetwork's remote drivers) as netplane's
 * {@link dev.keel.netplane.spi.NetworkDriver} and {@link dev.keel.netplane.spi.IpamDriver}.
 */
package dev.keel.pluginhost.network;
