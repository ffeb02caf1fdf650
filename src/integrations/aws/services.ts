// What Gatehouse knows about AWS services for `action/` integration URIs: the protocol API
// Gateway speaks to each, and the name requests are signed for.
//
// Values come from the services' models as the AWS SDKs ship them (botocore 1.43.11,
// data/{service}/{version}/service-2.json, `metadata`: protocol, targetPrefix, jsonVersion,
// signingName); the @aws-sdk/client-* packages that carry the same models are not installed here,
// so the table is written by hand. Where API Gateway does not follow a model, the entry says
// what it follows instead.
//
// A service missing from the table is reached with the query protocol (`Action=` in the query
// string), which is what AWS documents for action URIs, and signed with its URI name.

/** How an `action/{Action}` URI reaches the service. */
export type ActionProtocol =
  | { readonly kind: 'query' }
  | { readonly kind: 'json'; readonly targetPrefix: string; readonly jsonVersion: '1.0' | '1.1' };

export interface AwsService {
  /** The SigV4 service name (credential scope). */
  readonly signingName: string;
  readonly action: ActionProtocol;
}

const QUERY: ActionProtocol = { kind: 'query' };
const json = (targetPrefix: string, jsonVersion: '1.0' | '1.1'): ActionProtocol => ({ kind: 'json', targetPrefix, jsonVersion });

/** By the service name as integration URIs write it (`arn:aws:apigateway:{region}:{service}:...`). */
const SERVICES: ReadonlyMap<string, AwsService> = new Map(Object.entries({
  // Query protocol (botocore: protocol "query").
  sns: { signingName: 'sns', action: QUERY },
  sts: { signingName: 'sts', action: QUERY },
  iam: { signingName: 'iam', action: QUERY },
  // SES v1's endpoint prefix is "email", its signing name "ses".
  email: { signingName: 'ses', action: QUERY },
  ses: { signingName: 'ses', action: QUERY },
  cloudformation: { signingName: 'cloudformation', action: QUERY },
  // botocore now models SQS as JSON (AmazonSQS, 1.0), but SQS still takes the query protocol and
  // the guide's SQS examples (`Action=SendMessage&MessageBody=...`) and response templates
  // (`$input.path('$.SendMessageResponse...')`, recorded) are written for it.
  sqs: { signingName: 'sqs', action: QUERY },
  // botocore models SSM as JSON (AmazonSSM, 1.1), but API Gateway calls it with the query
  // protocol: recorded, `action/GetParameter` answers {"GetParameterResponse": {"GetParameterResult": ...}}.
  ssm: { signingName: 'ssm', action: QUERY },
  // JSON protocol: X-Amz-Target {targetPrefix}.{Action} and application/x-amz-json-{jsonVersion}.
  // DynamoDB, Kinesis and Step Functions are recorded answering action URIs without the API
  // mapping either header; the others follow the same rule.
  dynamodb: { signingName: 'dynamodb', action: json('DynamoDB_20120810', '1.0') },
  kinesis: { signingName: 'kinesis', action: json('Kinesis_20131202', '1.1') },
  states: { signingName: 'states', action: json('AWSStepFunctions', '1.0') },
  firehose: { signingName: 'firehose', action: json('Firehose_20150804', '1.1') },
  events: { signingName: 'events', action: json('AWSEvents', '1.1') },
  logs: { signingName: 'logs', action: json('Logs_20140328', '1.1') },
  secretsmanager: { signingName: 'secretsmanager', action: json('secretsmanager', '1.1') },
  kms: { signingName: 'kms', action: json('TrentService', '1.1') },
  athena: { signingName: 'athena', action: json('AmazonAthena', '1.1') },
  glue: { signingName: 'glue', action: json('AWSGlue', '1.1') },
  ecs: { signingName: 'ecs', action: json('AmazonEC2ContainerServiceV20141113', '1.1') },
  'cognito-idp': { signingName: 'cognito-idp', action: json('AWSCognitoIdentityProviderService', '1.1') },
  codebuild: { signingName: 'codebuild', action: json('CodeBuild_20161006', '1.1') },
  textract: { signingName: 'textract', action: json('Textract', '1.1') },
  comprehend: { signingName: 'comprehend', action: json('Comprehend_20171127', '1.1') },
  translate: { signingName: 'translate', action: json('AWSShineFrontendService_20170701', '1.1') },
  rekognition: { signingName: 'rekognition', action: json('RekognitionService', '1.1') },
  'redshift-data': { signingName: 'redshift-data', action: json('RedshiftData', '1.1') },
  swf: { signingName: 'swf', action: json('SimpleWorkflowService', '1.0') },
  // Path-style (REST) services take `path/` URIs; an action URI reaches them with `Action=`.
  s3: { signingName: 's3', action: QUERY },
  lambda: { signingName: 'lambda', action: QUERY },
  // {subdomain}.{service} forms whose signing name is not the service's (botocore signingName).
  'runtime.sagemaker': { signingName: 'sagemaker', action: QUERY },
  'data.iot': { signingName: 'iotdata', action: QUERY },
  'data-ats.iot': { signingName: 'iotdata', action: QUERY },
  'streams.dynamodb': { signingName: 'dynamodb', action: json('DynamoDBStreams_20120810', '1.0') },
  'ingest.timestream': { signingName: 'timestream', action: json('Timestream_20181101', '1.0') },
  'api.ecr': { signingName: 'ecr', action: json('AmazonEC2ContainerRegistry_V20150921', '1.1') },
} satisfies Record<string, AwsService>));

/**
 * The service an integration URI names: its `{subdomain}.{service}` entry when the table has one
 * (runtime.sagemaker), else the service's own, else the query protocol signed with the name.
 */
export function awsService(service: string, subdomain: string | null): AwsService {
  if (subdomain !== null) {
    const whole = SERVICES.get(`${subdomain}.${service}`);
    if (whole !== undefined) return whole;
  }
  return SERVICES.get(service) ?? { signingName: service, action: QUERY };
}
