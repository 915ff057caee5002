/// <reference types="vite/client" />
interface ImportMetaEnv {
  /** Origin of the issuer API when the apps are hosted elsewhere (default: the page's origin). */
  readonly VAXPASS_API_ORIGIN?: string;
  /** base64url raw Ed25519 root public key baked into a production scanner build. */
  readonly VAXPASS_ROOT_PUBLIC_KEY?: string;
}
