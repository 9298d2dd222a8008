package dev.tokenarena.standalone;

import picocli.CommandLine.Option;

/** Where the cluster is: the options every command that reads or writes its topics takes (a picocli mixin). */
final class ClusterOptions {

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
    String bootstrap;

    @Option(names = "--registry", defaultValue = "http://127.0.0.1:8081", description = "Schema registry URL. Default: ${DEFAULT-VALUE}.")
    String registry;
}
