/**
 * The domain: persistent entities (Container, Image, Network, Volume, Host), their commands, events and state, under Cluster Sharding.
 */
package dev.keel.actors;
