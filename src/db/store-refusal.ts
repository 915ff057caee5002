// A database the issuer must not start on (missing, from a newer release, corrupt, or already
// written by another process). The message is one line for the operator: what is wrong, with which
// path, and the command that confirms or fixes it. It never quotes data from the database.
export class StoreRefusal extends Error {
  override readonly name = 'StoreRefusal';
}
