-- +goose Up
-- Large inputs (a national dataset of hundreds of megabytes) are kept in
-- 1 MiB chunks streamed with COPY instead of one bytea value, which lib/pq
-- would have to hold (hex-encoded, twice the size) in memory. Small files
-- keep their bytes in input_file.content. Either way the original bytes are
-- kept: content IS NULL exactly when the chunks hold them.
ALTER TABLE input_file ALTER COLUMN content DROP NOT NULL;
ALTER TABLE input_file ADD COLUMN chunked boolean NOT NULL DEFAULT false;
ALTER TABLE input_file ADD CONSTRAINT input_file_bytes_kept CHECK ((content IS NULL) = chunked);

CREATE TABLE input_file_chunk (
    file_id  bigint NOT NULL REFERENCES input_file (id),
    seq      integer NOT NULL CHECK (seq >= 0),
    data     bytea NOT NULL,
    PRIMARY KEY (file_id, seq)
);

-- +goose Down
SELECT 1;
