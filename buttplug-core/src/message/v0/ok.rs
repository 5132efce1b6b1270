id_message!(
    /// `Ok` (v0..v4, server to client): the request with this Id succeeded.
    OkV0,
    "Ok",
    reply_id
);
