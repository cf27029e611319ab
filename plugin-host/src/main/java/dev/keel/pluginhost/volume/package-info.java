/** A {@code VolumeDriver} plugin as stateplane's {@link dev.keel.stateplane.spi.VolumeDriver}. */
package dev.keel.pluginhost.volume;
