/**
 * The {@code serve}, {@code loadtest} and {@code make-adapters} commands: an HTTP server on the JDK's
 * built-in {@code com.sun.net.httpserver} that serves a directory of adapter files on one base through
 * {@link io.github.nola4j.layers.serving.MixedAdapterNetwork}, batching requests across adapters; a load
 * test that checks every answer; and random adapters to load it with.
 */
package io.github.nola4j.samples.serve;
