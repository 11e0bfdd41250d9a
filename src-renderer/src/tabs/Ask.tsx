/** The Ask tab (being built). */
export default function Ask() {
  return <p>Ask is on its way.</p>;
}
