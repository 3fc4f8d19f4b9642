/**
 * The nola4j samples program ({@code java -jar nola-samples.jar demo|pretrain|finetune}): NOLA
 * transfer learning on Fashion-MNIST from the command line. {@link io.github.nola4j.samples.SamplesMain}
 * is the entry point; {@link io.github.nola4j.samples.Option} holds every option and its help text.
 */
package io.github.nola4j.samples;
