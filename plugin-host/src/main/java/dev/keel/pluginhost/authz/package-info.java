/**
 * Authorization plugins ({@code --authorization-plugin}): the request and answer shown to them, built with Docker's
 * rules, and their decision. Turning a decision into a status (403) is http-api's job.
 */
package dev.keel.pluginhost.authz;
