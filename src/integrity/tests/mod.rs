mod chain_builder;
mod gzip_stream;
mod tamper;
mod vectors;
mod walks;
