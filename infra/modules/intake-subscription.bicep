// Event Grid subscription: BlobCreated in the "intake" container -> the Functions blob
// extension's webhook, which runs the intake blob trigger (Source = EventGrid) on Flex
// Consumption, where blob polling is not available.
//
// Deploy this only after the code is deployed: the blobs_extension system key below exists only
// once the host has started with an Event Grid-sourced blob trigger, and Event Grid validates the
// webhook (handshake answered by that extension) when the subscription is created.

@description('Name of the existing Event Grid system topic on the storage account.')
param systemTopicName string

@description('Name of the existing Function App.')
param functionAppName string

@description('Name of the blob container whose new blobs start intake.')
param containerName string

@description('Name of the function that the blob extension invokes.')
param functionName string = 'Host.Functions.IntakeFromBlob'

@description('Name of the event subscription.')
param subscriptionName string = 'intake-blob-created'

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// The host keys resource (Microsoft.Web/sites/host) has no Bicep type definition, so listKeys is
// called on its id directly; systemKeys.blobs_extension authorizes the blob extension webhook.
var blobsExtensionKey = listKeys('${site.id}/host/default', '2024-04-01').systemKeys.blobs_extension

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: subscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${site.properties.defaultHostName}/runtime/webhooks/blobs?functionName=${functionName}&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${containerName}/'
      enableAdvancedFilteringOnArrays: true
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output name string = subscription.name
