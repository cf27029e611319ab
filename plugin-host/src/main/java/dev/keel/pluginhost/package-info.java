/**
 * Out-of-process plugins speaking Docker's plugin protocol: discovery, activation, adapters onto the driver SPIs.
 */
package dev.keel.pluginhost;
