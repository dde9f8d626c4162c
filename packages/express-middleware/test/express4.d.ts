// Express 4, installed under an alias so the HTTP suites can run on both majors; typed as Express 5's API,
// which covers everything the tests call.
declare module 'express4' {
  import express from 'express';
  export default express;
}
